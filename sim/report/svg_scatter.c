/* Report section: output tok/s per GPU against tok/s per user, log axes (report_internal.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define W 960.0
#define H 560.0
#define LEFT 80.0
#define RIGHT 220.0
#define TOP 20.0
#define BOTTOM 56.0

int ps_report_plottable(const ps_sweep_row *r)
{
    return r->pred.fits && isfinite(r->pred.output_tok_s_per_gpu) && isfinite(r->pred.output_tok_s_per_user) &&
           r->pred.output_tok_s_per_gpu > 0 && r->pred.output_tok_s_per_user > 0;
}

static double err_frac(const ps_sweep_row *r)
{
    double e = r->pred.error_pct / 100.0;
    return isfinite(e) && e > 0 ? (e < 0.95 ? e : 0.95) : 0.0;
}

typedef struct axis {
    double lo, hi; /* log10 of the range */
    double px0, px1;
} axis;

static double to_px(const axis *a, double v) { return a->px0 + (log10(v) - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0); }

static void fit_axis(axis *a, double vmin, double vmax)
{
    if (!(vmin > 0) || !(vmax > 0)) {
        vmin = 1;
        vmax = 10;
    }
    a->lo = floor(log10(vmin) - 0.02);
    a->hi = ceil(log10(vmax) + 0.02);
    if (a->hi - a->lo < 1)
        a->hi = a->lo + 1;
}

/* Ticks at 1, 2 and 5 x 10^k (only 1 x 10^k when the axis spans more than 3 decades). */
static void ticks(FILE *out, const axis *a, bool vertical, double other0, double other1)
{
    static const double steps[] = {1, 2, 5};
    int nsteps = a->hi - a->lo > 3 ? 1 : 3;
    for (int k = (int)a->lo; k <= (int)a->hi; k++) {
        for (int s = 0; s < nsteps; s++) {
            double v = steps[s] * pow(10, k);
            if (log10(v) > a->hi + 1e-9)
                break;
            double p = to_px(a, v);
            char text[32];
            snprintf(text, sizeof text, "%g", v);
            if (vertical)
                fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                             "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                        p, other0, p, other1, s ? "#eee" : "#ccc", p, other0 + 16, text);
            else
                fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                             "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                        other0, p, other1, p, s ? "#eee" : "#ccc", other0 - 6, p + 4, text);
        }
    }
}

static void point(FILE *out, const ps_sweep_row *r, const axis *x, const axis *y, const char *colour)
{
    double u = r->pred.output_tok_s_per_user, g = r->pred.output_tok_s_per_gpu, e = err_frac(r);
    double px = to_px(x, u), py = to_px(y, g);
    if (e > 0) /* both coordinates scale with the predicted times: the bar spans both axes */
        fprintf(out, "<path class=\"errorbar\" stroke=\"%s\" stroke-width=\"1\" fill=\"none\" "
                     "d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1f\"/>\n",
                colour, px, to_px(y, g * (1 - e)), to_px(y, g * (1 + e)), to_px(x, u * (1 - e)), py,
                to_px(x, u * (1 + e)));
    char label[64];
    ps_report_layout_label(r, label, sizeof label);
    if (ps_report_scenario_rank(r->scenario) == 0)
        fprintf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#fff\">", px, py,
                colour);
    else
        fprintf(out, "<rect class=\"point\" x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\" "
                     "stroke=\"#fff\">", px - 4.5, py - 4.5, colour);
    fputs("<title>", out);
    ps_report_html_escape(out, r->platform);
    fprintf(out, " %s %s: %.4g tok/s per GPU, %.4g tok/s per user, ", label, r->scenario, g, u);
    if (isfinite(r->pred.error_pct) && r->pred.error_pct >= 0) /* negative or NaN: unknown (html.c) */
        fprintf(out, "error %.3g%%", r->pred.error_pct);
    else
        fputs("error unknown", out);
    fprintf(out, "</title>%s\n", ps_report_scenario_rank(r->scenario) == 0 ? "</circle>" : "</rect>");
    if (!r->pred.in_envelope)
        fprintf(out, "<circle class=\"out-of-envelope\" cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" "
                     "stroke=\"#d00\" stroke-dasharray=\"2 2\"/>\n", px, py);
    fprintf(out, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#333\">%s</text>\n", px + 7,
            py - 6, label);
}

static int by_user(const void *a, const void *b)
{
    const ps_sweep_row *ra = *(const ps_sweep_row *const *)a, *rb = *(const ps_sweep_row *const *)b;
    double d = ra->pred.output_tok_s_per_user - rb->pred.output_tok_s_per_user;
    return (d > 0) - (d < 0);
}

static void front(FILE *out, const ps_sweep_row *rows, size_t first, size_t end, const axis *x, const axis *y,
                  const char *colour)
{
    const ps_sweep_row **pts = malloc((end - first) * sizeof *pts);
    if (!pts)
        return;
    size_t n = 0;
    for (size_t i = first; i < end; i++)
        if (rows[i].pareto && ps_report_plottable(&rows[i]))
            pts[n++] = &rows[i];
    qsort(pts, n, sizeof *pts, by_user); /* ties keep no order, but equal points draw the same line */
    if (n > 0) {
        fprintf(out, "<polyline class=\"pareto\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                     "stroke-opacity=\"0.7\" points=\"", colour);
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s%.1f,%.1f", i ? " " : "", to_px(x, pts[i]->pred.output_tok_s_per_user),
                    to_px(y, pts[i]->pred.output_tok_s_per_gpu));
        fputs("\"/>\n", out);
    }
    free(pts);
}

static void legend(FILE *out, const ps_sweep_row *rows, const size_t *first, size_t np)
{
    double lx = W - RIGHT + 20, ly = TOP + 10;
    for (size_t p = 0; p < np; p++, ly += 18) {
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", lx, ly, ps_report_colour(p), lx + 18, ly + 11);
        ps_report_html_escape(out, rows[first[p]].platform);
        fputs("</text>\n", out);
    }
    ly += 10;
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" "
                 "font-size=\"12\">max_throughput</text>\n", lx + 6, ly + 6, lx + 18, ly + 10);
    ly += 18;
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" "
                 "font-size=\"12\">min_latency / --batch N</text>\n", lx + 1.5, ly + 1.5, lx + 18, ly + 10);
    ly += 18;
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" fill=\"none\" stroke=\"#d00\" stroke-dasharray=\"2 2\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">outside the envelope</text>\n", lx + 6, ly + 6,
            lx + 18, ly + 10);
    ly += 18;
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-width=\"2\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">Pareto front</text>\n", lx, ly + 6, lx + 12, ly + 6,
            lx + 18, ly + 10);
}

void ps_report_svg_scatter(FILE *out, const ps_sweep_row *rows, size_t count)
{
    double umin = INFINITY, umax = 0, gmin = INFINITY, gmax = 0;
    size_t plotted = 0;
    for (size_t i = 0; i < count; i++) {
        const ps_sweep_row *r = &rows[i];
        if (!ps_report_plottable(r))
            continue;
        double e = err_frac(r);
        umin = fmin(umin, r->pred.output_tok_s_per_user * (1 - e));
        umax = fmax(umax, r->pred.output_tok_s_per_user * (1 + e));
        gmin = fmin(gmin, r->pred.output_tok_s_per_gpu * (1 - e));
        gmax = fmax(gmax, r->pred.output_tok_s_per_gpu * (1 + e));
        plotted++;
    }
    axis x = {0, 0, LEFT, W - RIGHT}, y = {0, 0, H - BOTTOM, TOP};
    fit_axis(&x, umin, umax);
    fit_axis(&y, gmin, gmax);
    fprintf(out, "<h2>Throughput per GPU against speed per user</h2>\n<p class=\"note\">%zu of %zu rows fit "
                 "and are drawn; up and right is better; each platform's Pareto front is the line through the "
                 "layouts no other layout of that platform beats on both axes.</p>\n", plotted, count);
    fprintf(out, "<svg id=\"scatter\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n", W, H, W, H);
    ticks(out, &x, true, H - BOTTOM, TOP);
    ticks(out, &y, false, LEFT, W - RIGHT);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
            LEFT, TOP, W - RIGHT - LEFT, H - BOTTOM - TOP);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">output tokens/s per user "
                 "(1000 / TPOT ms)</text>\n", (LEFT + W - RIGHT) / 2, H - 14);
    fprintf(out, "<text x=\"18\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">"
                 "output tokens/s per GPU</text>\n", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2);
    size_t first[PS_REPORT_MAX_PLATFORMS + 1];
    size_t np = ps_report_platforms(rows, count, first, PS_REPORT_MAX_PLATFORMS);
    first[np] = count;
    for (size_t p = 0; p < np; p++)
        front(out, rows, first[p], first[p + 1], &x, &y, ps_report_colour(p));
    for (size_t p = 0; p < np; p++)
        for (size_t i = first[p]; i < first[p + 1]; i++)
            if (ps_report_plottable(&rows[i]))
                point(out, &rows[i], &x, &y, ps_report_colour(p));
    legend(out, rows, first, np);
    fputs("</svg>\n", out);
}
