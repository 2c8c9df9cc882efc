/* The sweep report: one self-contained HTML file (no network, no script, opens from disk) whose
 * charts are SVG written here. It is also well-formed XML (every element closed, text escaped), so
 * that tests and tools can parse it with an XML parser.
 *
 * Sections: the study (arguments, digest), the scatter of output tok/s per GPU against tok/s per
 * user (log axes, one colour per platform, error bars from error_pct, a ring on predictions outside
 * the validated envelope, each platform's Pareto front drawn, points labelled TP4xPP2), the decode
 * step of each layout as stacked bars, the link load of each platform's best layout, and the table.
 * Element classes the tests count: "point" (one per row that fits), "pareto" (one polyline per
 * platform with a front), "errorbar", "out-of-envelope", "bar-<part>", "link".
 */
#include <math.h>
#include <string.h>

#include "parsim/report.h"
#include "report_internal.h"

/* Tableau 10 (Tableau Software's default categorical palette): distinct in print and for most
 * colour-blind readers. */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define PALETTE_SIZE 10

const char *ps_report_colour(size_t platform_index) { return palette[platform_index % PALETTE_SIZE]; }

void ps_report_html_escape(FILE *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t')
                fputc(' ', out); /* not allowed in XML 1.0 */
            else
                fputc(*c, out);
        }
    }
}

void ps_report_layout_label(const ps_sweep_row *row, char *buf, size_t size)
{
    if (row->dp > 1)
        snprintf(buf, size, "TP%dxPP%dxDP%d", row->tp, row->pp, row->dp);
    else
        snprintf(buf, size, "TP%dxPP%d", row->tp, row->pp);
}

/* Platforms in row order (rows are sorted, so a platform's rows are contiguous). */
size_t ps_report_platforms(const ps_sweep_row *rows, size_t count, size_t *first, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if ((i == 0 || strcmp(rows[i].platform, rows[i - 1].platform)) && n < max)
            first[n++] = i;
    return n;
}

static void write_head(FILE *out, const ps_report_info *info)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<title>parsim sweep</title>\n<style>\n"
          "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}\n"
          "h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n"
          "code{background:#f3f3f3;padding:1px 4px}\n"
          "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\n"
          "th{background:#eee}td.t{text-align:left}tr.nofit td{color:#999}tr.best td{font-weight:bold}\n"
          ".note{font-size:12px;color:#555;max-width:1000px}\n"
          "svg text{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif}\n"
          "</style>\n</head>\n<body>\n<h1>parsim sweep</h1>\n<p><code>parsim sweep ", out);
    ps_report_html_escape(out, info->args);
    fputs("</code></p>\n<p class=\"note\">digest ", out);
    ps_report_html_escape(out, info->digest);
    fputs(". Every number is a prediction of parsim's models (op cost model, collective model, replay on "
          "the SimGrid platform); error bars are predict's error_pct, a ring marks a prediction outside the "
          "validated envelope. Rows that do not fit in GPU memory are listed in the table only.</p>\n", out);
}

/* One table cell: the number, or "-" when it is unknown. A figure read back from a shard CSV is
 * unknown when its cell was empty (NaN), and an error bar is unknown when it is negative (the
 * cost model's -1 convention); printf would write "nan" or "-1" into the report instead. */
static void number_cell(FILE *out, const char *format, double v)
{
    fputs("<td>", out);
    if (isfinite(v))
        fprintf(out, format, v);
    else
        fputc('-', out);
    fputs("</td>", out);
}

static void write_table(FILE *out, const ps_sweep_row *rows, size_t count)
{
    fputs("<h2>Sweep table</h2>\n<table>\n<tr><th>platform</th><th>layout</th><th>scenario</th><th>fits</th>"
          "<th>batch</th><th>TTFT ms</th><th>TPOT ms</th><th>tok/s</th><th>tok/s/GPU</th><th>tok/s/user</th>"
          "<th>error %</th><th>in envelope</th><th>GB/GPU</th><th>marks</th></tr>\n", out);
    for (size_t i = 0; i < count; i++) {
        const ps_sweep_row *r = &rows[i];
        const ps_prediction *p = &r->pred;
        char label[64];
        ps_report_layout_label(r, label, sizeof label);
        bool best = r->best_throughput || r->best_latency;
        fprintf(out, "<tr%s><td class=\"t\">", !p->fits ? " class=\"nofit\"" : best ? " class=\"best\"" : "");
        ps_report_html_escape(out, r->platform);
        fprintf(out, "</td><td class=\"t\">%s</td><td class=\"t\">%s</td><td>%s</td>", label, r->scenario,
                p->fits ? "yes" : "no");
        if (p->fits) {
            const double figures[] = {p->batch, p->ttft_ms, p->tpot_ms, p->output_tok_s, p->output_tok_s_per_gpu,
                                      p->output_tok_s_per_user};
            for (size_t f = 0; f < sizeof figures / sizeof figures[0]; f++)
                number_cell(out, "%.4g", figures[f]);
            number_cell(out, "%.3g", p->error_pct >= 0 ? p->error_pct : NAN);
            fprintf(out, "<td>%s</td>", p->in_envelope ? "yes" : "no");
        } else {
            fputs("<td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td>", out);
        }
        number_cell(out, "%.4g", p->memory_bytes_per_gpu / 1e9);
        fprintf(out, "<td class=\"t\">%s%s%s</td></tr>\n", r->best_throughput ? "best throughput " : "",
                r->best_latency ? "best per user " : "", r->pareto ? "pareto" : "");
    }
    fputs("</table>\n", out);
}

int ps_report_write_html(FILE *out, const ps_report_info *info, const ps_sweep_row *rows, size_t count,
                         ps_error *err)
{
    write_head(out, info);
    ps_report_svg_scatter(out, rows, count);
    ps_report_svg_breakdown(out, rows, count);
    ps_report_svg_links(out, rows, count);
    write_table(out, rows, count);
    fputs("<p class=\"note\">Written by parsim; charts are inline SVG, no script, no network.</p>\n"
          "</body>\n</html>\n", out);
    if (ferror(out))
        return ps_error_set(err, PS_EINTERNAL, "writing the HTML report failed");
    return PS_OK;
}
