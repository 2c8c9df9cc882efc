/* Shared helpers of the report writers (sim/report/). */
#ifndef PARSIM_REPORT_INTERNAL_H
#define PARSIM_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "parsim/report.h"

#define PS_REPORT_MAX_PLATFORMS 64

const char *ps_report_colour(size_t platform_index);
void ps_report_html_escape(FILE *out, const char *text);
void ps_report_layout_label(const ps_sweep_row *row, char *buf, size_t size); /* "TP4xPP2" */
/* Index of each platform's first row; returns the number of platforms (at most max). */
size_t ps_report_platforms(const ps_sweep_row *rows, size_t count, size_t *first, size_t max);
/* True when the row has both scatter coordinates. */
int ps_report_plottable(const ps_sweep_row *row);

/* One section each (svg_*.c). */
void ps_report_svg_scatter(FILE *out, const ps_sweep_row *rows, size_t count);
void ps_report_svg_breakdown(FILE *out, const ps_sweep_row *rows, size_t count);
void ps_report_svg_links(FILE *out, const ps_sweep_row *rows, size_t count);

#endif
