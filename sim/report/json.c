/* Sweep JSON: {"sweep": {"args", "digest", "rows"}, "rows": [one object per row]}. Keys and
 * their order are the CSV columns (one vocabulary); figures of rows that do not fit are null. */
#include <math.h>

#include "parsim/report.h"
#include "parsim/util.h"

static void write_value(FILE *out, const ps_sweep_row *row, const ps_report_column *c)
{
    const void *v = (const char *)row + c->offset;
    switch (c->kind) {
    case PS_COL_TEXT: ps_json_write_string(out, (const char *)v); break;
    case PS_COL_INT: fprintf(out, "%d", *(const int *)v); break;
    case PS_COL_BOOL: fputs(*(const bool *)v ? "true" : "false", out); break;
    case PS_COL_NUMBER: {
        double d = *(const double *)v;
        if ((c->figure && !row->pred.fits) || !isfinite(d))
            fputs("null", out);
        else
            fprintf(out, "%.6g", d == 0 ? 0.0 : d);
        break;
    }
    }
}

int ps_report_write_json(FILE *out, const ps_report_info *info, const ps_sweep_row *rows, size_t count,
                         ps_error *err)
{
    size_t n;
    const ps_report_column *cols = ps_report_columns(&n);
    fputs("{\"sweep\": {\"args\": ", out);
    ps_json_write_string(out, info->args);
    fputs(", \"digest\": ", out);
    ps_json_write_string(out, info->digest);
    fprintf(out, ", \"rows\": %zu},\n \"rows\": [", count);
    for (size_t r = 0; r < count; r++) {
        fputs(r ? ",\n  {" : "\n  {", out);
        for (size_t i = 0; i < n; i++) {
            fprintf(out, "%s\"%s\": ", i ? ", " : "", cols[i].name);
            write_value(out, &rows[r], &cols[i]);
        }
        fputc('}', out);
    }
    fputs(count ? "\n ]}\n" : "]}\n", out);
    if (ferror(out))
        return ps_error_set(err, PS_EINTERNAL, "writing the sweep JSON failed");
    return PS_OK;
}
