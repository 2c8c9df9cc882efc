/* Report section: per platform, the link load of its best layout for throughput: the GPUs (one
 * shade per pipeline stage), their links coloured by load, and three gauges (busiest GPU port,
 * busiest single link, busiest NIC). The loads are ps_report_link_load's estimates. */
#include <math.h>
#include <string.h>

#include "report_internal.h"

#define W 960.0
#define PANEL 190.0

/* Green (idle) through yellow to red (busy the whole iteration). */
static void load_colour(double load, char *buf, size_t size)
{
    double l = isfinite(load) ? fmin(fmax(load, 0), 1) : 0;
    int r = (int)(l < 0.5 ? 510 * l : 255), g = (int)(l < 0.5 ? 200 : 200 - 400 * (l - 0.5));
    snprintf(buf, size, "rgb(%d,%d,60)", r, g < 0 ? 0 : g);
}

static void gauge(FILE *out, double x, double y, const char *what, double load)
{
    char c[32];
    load_colour(load, c, sizeof c);
    double l = isfinite(load) ? fmin(fmax(load, 0), 1) : 0;
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n"
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"160\" height=\"10\" fill=\"#eee\"/>"
                 "<rect class=\"gauge\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%.2g%%</text>\n",
            x, y, what, x, y + 4, x, y + 4, 160 * l, c, x + 166, y + 13, isfinite(load) ? 100 * load : 0.0);
}

static void gpus(FILE *out, const ps_sweep_row *r, double x0, double y, double step, int n)
{
    for (int g = 0; g < n; g++) {
        int stage = (g / r->tp) % r->pp;
        int shade = 235 - (r->pp > 1 ? 120 * stage / (r->pp - 1) : 0);
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" fill=\"rgb(%d,%d,255)\" "
                     "stroke=\"#333\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">s%d</text>\n",
                x0 + g * step, y, step * 0.8, shade, shade, x0 + g * step + step * 0.4, y + 14, stage);
    }
}

static void panel(FILE *out, const ps_sweep_row *r, double y)
{
    char label[64], c[32];
    ps_report_layout_label(r, label, sizeof label);
    fputs("<text x=\"8\" y=\"", out);
    fprintf(out, "%.1f\" font-size=\"13\" font-weight=\"bold\">", y + 16);
    ps_report_html_escape(out, r->platform);
    fprintf(out, " (%s): %s %s</text>\n", r->fabric, label, r->scenario);
    int n = r->tp * r->pp * r->dp;
    int shown = n > 32 ? 32 : n;
    double x0 = 20, step = 520.0 / shown, gy = y + 60;
    gpus(out, r, x0, gy, step, shown);
    if (!strcmp(r->fabric, "mesh")) {
        /* one arc per PP hand-off pair (stage s GPU j -> stage s+1 GPU j): each is a single private link */
        load_colour(r->link_pair_busy, c, sizeof c);
        for (int g = 0; g + r->tp < shown; g++) {
            if ((g / r->tp) % r->pp == r->pp - 1)
                continue;
            double a = x0 + g * step + step * 0.4, b = x0 + (g + r->tp) * step + step * 0.4;
            fprintf(out, "<path class=\"link\" d=\"M%.1f %.1fQ%.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"3\"/>\n", a, gy, (a + b) / 2, gy - 16 - (b - a) / 8, b, gy, c);
        }
        fprintf(out, "<text x=\"20\" y=\"%.1f\" font-size=\"10\" fill=\"#555\">switchless mesh: a hand-off "
                     "between two GPUs has one link of 1/%d of a GPU's NVLink bandwidth</text>\n",
                y + 108, r->gpus_per_node > 1 ? r->gpus_per_node - 1 : 1);
    } else {
        /* a switch (NVSwitch, or the PCIe tree): every GPU's port to it */
        load_colour(r->link_port_busy, c, sizeof c);
        double sy = gy + 48;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"#ddd\" stroke=\"#333\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
                x0, sy, shown * step - step * 0.2, x0 + shown * step / 2, sy + 11,
                !strcmp(r->fabric, "pcie") ? "PCIe switches" : "NVSwitch");
        for (int g = 0; g < shown; g++) {
            double gx = x0 + g * step + step * 0.4;
            fprintf(out, "<line class=\"link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"4\"/>\n", gx, gy + 22, gx, sy, c);
        }
    }
    if (r->gpus_per_node > 0 && r->gpus_per_node < shown)
        for (int g = r->gpus_per_node; g < shown; g += r->gpus_per_node) {
            double nx = x0 + g * step - step * 0.1;
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                         "stroke-dasharray=\"4 3\"/>\n", nx, gy - 30, nx, gy + 70);
        }
    gauge(out, 600, y + 40, "busiest GPU port (NVLink / PCIe)", r->link_port_busy);
    gauge(out, 600, y + 80, "busiest single GPU-GPU link", r->link_pair_busy);
    gauge(out, 600, y + 120, "busiest NIC", r->link_nic_busy);
}

void ps_report_svg_links(FILE *out, const ps_sweep_row *rows, size_t count)
{
    size_t best[PS_REPORT_MAX_PLATFORMS], nbest = 0;
    for (size_t i = 0; i < count && nbest < PS_REPORT_MAX_PLATFORMS; i++)
        if (rows[i].best_throughput)
            best[nbest++] = i;
    fputs("<h2>Links of each platform's best layout for throughput</h2>\n<p class=\"note\">Share of a decode "
          "iteration each link carries data, estimated from the bytes the iteration moves (TP all-reduces, "
          "PP hand-offs) and the predicted TPOT; GPUs shaded by pipeline stage (s0, s1, ...).</p>\n", out);
    double height = 10 + (double)nbest * PANEL;
    fprintf(out, "<svg id=\"links\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            W, height, W, height);
    for (size_t b = 0; b < nbest; b++)
        panel(out, &rows[best[b]], 10 + (double)b * PANEL);
    fputs("</svg>\n", out);
}
