/* Report section: each layout's decode iteration as stacked bars of predict's breakdown
 * (compute, exposed TP communication, PP bubble, PP hand-offs, host gaps), one common ms scale. */
#include <math.h>
#include <string.h>

#include "report_internal.h"

#define W 960.0
#define LABEL 230.0
#define RIGHT 90.0
#define BAR 12.0
#define ROWH 16.0
#define HEAD 22.0

static const char *const part_names[PS_PART_COUNT] = {"compute", "tp_comm_exposed", "pp_bubble", "pp_handoff",
                                                      "host_gaps"};
static const char *const part_text[PS_PART_COUNT] = {"compute", "exposed TP communication", "PP bubble",
                                                     "PP hand-offs", "host gaps"};
static const char *const part_colour[PS_PART_COUNT] = {"#4e79a7", "#e15759", "#bab0ac", "#f28e2b", "#76b7b2"};

static double decode_total(const ps_sweep_row *r)
{
    double t = 0;
    for (int k = 0; k < PS_PART_COUNT; k++) {
        double v = r->pred.breakdown_ms[PS_PHASE_DECODE][k];
        t += isfinite(v) && v > 0 ? v : 0;
    }
    return t;
}

static void bar(FILE *out, const ps_sweep_row *r, double y, double scale)
{
    char label[64];
    ps_report_layout_label(r, label, sizeof label);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s %s</text>\n", LABEL - 6,
            y + BAR - 2, label, r->scenario);
    double x = LABEL;
    for (int k = 0; k < PS_PART_COUNT; k++) {
        double v = r->pred.breakdown_ms[PS_PHASE_DECODE][k];
        if (!(isfinite(v) && v > 0))
            continue;
        fprintf(out, "<rect class=\"bar-%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                     "<title>%s %.4g ms</title></rect>\n",
                part_names[k], x, y, v * scale, BAR, part_colour[k], part_text[k], v);
        x += v * scale;
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%.3g ms</text>\n", x + 4, y + BAR - 2,
            decode_total(r));
}

void ps_report_svg_breakdown(FILE *out, const ps_sweep_row *rows, size_t count)
{
    double max_ms = 0;
    size_t bars = 0;
    for (size_t i = 0; i < count; i++)
        if (rows[i].pred.fits) {
            max_ms = fmax(max_ms, decode_total(&rows[i]));
            bars++;
        }
    size_t first[PS_REPORT_MAX_PLATFORMS + 1];
    size_t np = ps_report_platforms(rows, count, first, PS_REPORT_MAX_PLATFORMS);
    first[np] = count;
    double height = 40 + (double)np * HEAD + (double)bars * ROWH + 10;
    double scale = max_ms > 0 ? (W - LABEL - RIGHT) / max_ms : 0;
    fputs("<h2>Decode iteration, ms</h2>\n<p class=\"note\">Where the time of one decode iteration goes "
          "(predict's breakdown, ms per iteration), one common scale.</p>\n", out);
    fprintf(out, "<svg id=\"breakdown\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            W, height, W, height);
    double lx = LABEL;
    for (int k = 0; k < PS_PART_COUNT; k++) {
        fprintf(out, "<rect x=\"%.1f\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%.1f\" y=\"16\" "
                     "font-size=\"12\">%s</text>\n", lx, part_colour[k], lx + 16, part_text[k]);
        lx += 16 + 8 * strlen(part_text[k]) + 14;
    }
    double y = 40;
    for (size_t p = 0; p < np; p++) {
        fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\" fill=\"%s\">", y + 14,
                ps_report_colour(p));
        ps_report_html_escape(out, rows[first[p]].platform);
        fputs("</text>\n", out);
        y += HEAD;
        for (size_t i = first[p]; i < first[p + 1]; i++) {
            if (!rows[i].pred.fits)
                continue;
            bar(out, &rows[i], y, scale);
            y += ROWH;
        }
    }
    fputs("</svg>\n", out);
}
