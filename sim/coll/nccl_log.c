/* sim/coll/nccl_log.c: reads measured curves -- nccl-tests (and rccl-tests) stdout logs as users
 * have them, and the calibration CSVs.
 *
 * A log is a sequence of tests ("sections"), each printed by one `NAME_perf` run
 * (NVIDIA/nccl-tests src/common.cu):
 *     # Collective test starting: all_reduce_perf          (nccl-tests >= 2.13, rccl-tests)
 *     # nThread 1 nGpus 8 minBytes 8 maxBytes ... (the header; nGpus is -g)
 *     #  Rank  0 Group  0 Pid 1234 on host device  0 [0x18] NVIDIA H100 ...  (one per rank;
 *                                   "#   Rank  0 Pid ..." with 3 spaces before 2.13)
 *     #       size   count   type   redop    root     time   algbw   busbw #wrong  time ...
 *           1024     256    float     sum      -1    16.00    0.06    0.11      0   15.50 ...
 *     # Out of bounds values : 0 OK / # Avg bus bandwidth : x        (the footer)
 * The column header names the columns: nccl-tests 2.0-2.x printed `size count type redop time
 * algbw busbw error` (no root), the first releases `size count type time ...` (no redop), the
 * rooted tests `... root ...`; the out-of-place time is the first `time` column, always. So the
 * columns are located from each section's header, never from fixed positions.
 *
 * What real logs add, and what we do with it:
 *   - mpirun --tag-output tags "[1,0]<stdout>:" and "[0]" prefixes, also INSIDE a row (nccl-tests
 *     prints a row in three writes: the size columns, the out-of-place half, the in-place half)
 *     and srun --label "0: " prefixes: stripped;
 *   - NCCL_DEBUG lines ("host:pid:tid [d] NCCL INFO ..."), also in the middle of a row whose
 *     rest follows on a later line: the NCCL part is cut and the row continues on the next
 *     fragment of numbers;
 *   - lines that are not part of any table (srun/ssh/shell noise, "rccl-tests: Version ...",
 *     separators of cluster scripts): skipped; one naming `X_perf` before a section without a
 *     "Collective test starting" line names its collective;
 *   - a line that could be a row but is none (a number first, the wrong number of fields), or a
 *     row before any column header: refused, "FILE:LINE: not part of an nccl-tests table ...";
 *   - nccl-tests' own failure lines (" .. host pid N: Test NCCL failure common.cu:...") refused;
 *   - 0-byte rows (NCCL launches nothing for them) skipped and counted;
 *   - GPU count = highest Rank number + 1; a section whose rank numbers have gaps (a pasted
 *     excerpt) is refused unless the caller gives the count;
 *   - two runs interleaved in one file (nccl-tests built without MPI under mpirun: every process
 *     prints its own header and table) are refused: a rank listed twice, a second header before
 *     the first table, a row after a table's footer, sizes that go back;
 *   - a table mixing data types or reduction ops (-d all / -o all) is refused (one curve is one
 *     type and op).
 * Every refusal is one line "FILE:LINE: reason", PS_EINPUT.
 * CSV: the header size_bytes,time_us,algbw_GBps,busbw_GBps then four numbers per row
 * (../shared/data/nccl/SOURCES.md): one curve, op and GPU count from the caller.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll_internal.h"
#include "parsim/array.h"

#define LINE_MAX_BYTES 4096
#define MAX_TOKENS 32
#define MAX_SECTIONS 256
#define MAX_RANK 65535        /* rank numbers above are refused (bounded memory) */
#define MAX_ROWS_PER_CURVE (1 << 20)

/* nccl-tests binaries parsim does not model (nccl-tests src/NAME.cu; rccl-tests has the same). */
static const char *const unmodelled[] = {"reduce", "gather", "scatter", "hypercube", "alltoallv",
                                         NULL};

bool ps_nccl_tests_unmodelled(const char *name)
{
    for (int i = 0; unmodelled[i]; i++)
        if (!strcmp(name, unmodelled[i]))
            return true;
    return false;
}

static int type_bytes_of(const char *t)
{
    static const struct {
        const char *name;
        int bytes;
    } types[] = {{"int8", 1},   {"uint8", 1},  {"int32", 4},    {"uint32", 4},    {"int64", 8},
                 {"uint64", 8}, {"half", 2},   {"float", 4},    {"double", 8},    {"bfloat16", 2},
                 {"f8e4m3", 1}, {"f8e5m2", 1}, {"fp8_e4m3", 1}, {"fp8_e5m2", 1}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(t, types[i].name))
            return types[i].bytes;
    return 0;
}

static bool parse_num(const char *s, double *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool is_uint(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* A message-safe copy of log text: printable ASCII, at most `max` characters. */
static void printable(char *out, size_t size, const char *in, size_t max)
{
    size_t n = 0;
    for (; *in && n + 1 < size && n < max; in++)
        out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
    out[n] = '\0';
}

/* ---- the parser's state ----------------------------------------------------------------------- */

typedef struct columns {
    int count;             /* fields in a row */
    int size, elements, type, redop, root, time;  /* indexes; -1 = absent (redop, root) */
    int wrong[2];          /* the out-of-place and in-place #wrong columns; -1 = absent */
    int line;              /* where the header was */
} columns;

typedef struct parser {
    const char *name;
    int gpus_override;
    ps_nccl_log *log;
    ps_error *err;
    int lineno;
    /* the current section (log->curves[log->n_curves - 1]) and what it has seen */
    bool open;             /* a current section exists and has not concluded */
    bool has_header;       /* its "# nThread" line */
    bool named;            /* its "# Collective test starting" line */
    bool has_columns;
    bool footer;           /* its table ended (footer line) */
    int footer_line;
    columns col;
    size_t row_cap;        /* rows allocated in the current section's columns */
    size_t curve_cap;      /* curves allocated in log->curves */
    unsigned char *ranks;  /* bitmap of the Rank numbers listed */
    int max_rank, rank_count, first_rank_line;
    char first_type[16], first_redop[16];
    double last_size;
    /* a row printed in several writes, waiting for its other fields */
    char pending[LINE_MAX_BYTES];
    int pending_fields, pending_line;
    /* a `NAME_perf` named by a non-table line since the last section */
    char hint[32];
    bool hint_ambiguous;
} parser;

/* "NAME:LINE: reason", one printable line: what the log holds (a token, a quoted line) is
 * cut to 80 characters and its unprintable bytes shown as '?'. */
static int fail(parser *p, int line, const char *fmt, const char *a, const char *b)
{
    char msg[400], sa[96], sb[96];
    printable(sa, sizeof sa, a ? a : "", 80);
    printable(sb, sizeof sb, b ? b : "", 80);
    snprintf(msg, sizeof msg, fmt, sa, sb);
    return ps_error_set(p->err, PS_EINPUT, "%s:%d: %s", p->name, line, msg);
}

static ps_nccl_curve *current(parser *p)
{
    return p->open ? &p->log->curves[p->log->n_curves - 1] : NULL;
}

/* Checks the finished section: rows, rank numbers. */
static int close_section(parser *p)
{
    ps_nccl_curve *c = current(p);
    if (!c)
        return PS_OK;
    p->open = false;
    p->has_columns = false; /* a row after "Collective test concluded" belongs to no table */
    if (p->pending_fields)
        return fail(p, p->pending_line, "this row is incomplete: its other fields never came", NULL,
                    NULL);
    if (c->n_rows == 0)
        return fail(p, c->line, c->zero_rows ? "this test has only 0-byte rows (nothing to compare)"
                                              : "this test has no measurement rows", NULL, NULL);
    if (p->gpus_override > 0 && p->rank_count > 0 && p->gpus_override <= p->max_rank) {
        /* fewer GPUs than the log lists: the comparison simulated a smaller group than the one
         * measured, and said so only in its header line */
        char a[32], b[32];
        snprintf(a, sizeof a, "%d", p->gpus_override);
        snprintf(b, sizeof b, "%d", p->max_rank);
        return fail(p, p->first_rank_line, "--gpus %s is fewer GPUs than this test ran on (its Rank lines go "
                    "up to rank %s)", a, b);
    }
    if (p->gpus_override > 0) {
        c->gpus = p->gpus_override;
    } else if (p->rank_count > 0) {
        if (p->rank_count != p->max_rank + 1) {
            char a[64], b[64];
            snprintf(a, sizeof a, "%d", p->max_rank);
            snprintf(b, sizeof b, "%d of the %d", p->rank_count, p->max_rank + 1);
            return fail(p, p->first_rank_line, "the Rank lines go up to rank %s but list only %s "
                        "ranks (gaps: an excerpt?): give the GPU count (--gpus)", a, b);
        }
        c->gpus = p->max_rank + 1;
    }
    return PS_OK;
}

static void set_op(ps_nccl_curve *c, const char *name);

static int open_section(parser *p)
{
    int rc = close_section(p);
    if (rc)
        return rc;
    ps_nccl_log *log = p->log;
    if (log->n_curves == MAX_SECTIONS)
        return fail(p, p->lineno, "more than 256 tests in one log", NULL, NULL);
    if (ps_grow(&log->curves, &p->curve_cap, (size_t)log->n_curves + 1, sizeof *log->curves))
        return ps_error_set(p->err, PS_EINTERNAL, "out of memory");
    ps_nccl_curve *c = &log->curves[log->n_curves++];
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", log->path);
    c->gpus_per_thread = 1;
    c->algo = PS_ALGO_AUTO;
    c->section = log->n_curves;
    c->line = p->lineno;
    p->open = true;
    p->has_header = p->has_columns = p->footer = p->named = false;
    p->row_cap = 0;
    if (p->ranks)
        memset(p->ranks, 0, MAX_RANK / 8 + 1);
    p->max_rank = -1;
    p->rank_count = 0;
    p->first_type[0] = p->first_redop[0] = '\0';
    p->last_size = -1;
    p->pending_fields = 0;
    if (p->hint[0] && !p->hint_ambiguous)
        set_op(c, p->hint); /* "./all_gather_perf -b 8 ..." printed before the test */
    p->hint[0] = '\0';
    p->hint_ambiguous = false;
    return PS_OK;
}

static void set_op(ps_nccl_curve *c, const char *name)
{
    snprintf(c->op_name, sizeof c->op_name, "%s", name);
    ps_coll_op op;
    c->has_op = !ps_coll_op_parse(name, &op) && ps_coll_op_has_nccl_test(op);
    if (c->has_op)
        c->op = op;
}

/* ---- '#' lines -------------------------------------------------------------------------------- */

/* "NAME_perf" at s -> NAME (false if s does not start a NAME_perf word). */
static bool perf_name(const char *s, char *out, size_t size)
{
    size_t n = 0;
    while ((isalnum((unsigned char)s[n]) || s[n] == '_') && n + 1 < size)
        n++;
    if (n < 6 || strncmp(s + n - 5, "_perf", 5) || isalnum((unsigned char)s[n]))
        return false;
    memcpy(out, s, n - 5);
    out[n - 5] = '\0';
    return out[0] != '\0';
}

static int on_test_starting(parser *p, const char *name_at)
{
    char name[32];
    if (!perf_name(name_at, name, sizeof name))
        return fail(p, p->lineno, "\"Collective test starting\" names no X_perf test", NULL, NULL);
    ps_nccl_curve *c = current(p);
    /* nccl-tests prints it after the "# nThread" header, rccl-tests before: it opens a new
     * section only when the current one already has a name from such a line or a table. */
    if (!c || c->n_rows || c->zero_rows || p->has_columns || p->named) {
        int rc = open_section(p);
        if (rc)
            return rc;
        c = current(p);
    }
    set_op(c, name);
    p->named = true;
    return PS_OK;
}

static int on_nthread(parser *p, const char *line)
{
    ps_nccl_curve *c = current(p);
    if (c && p->has_header && !c->n_rows && !c->zero_rows)
        return fail(p, p->lineno, "a second nccl-tests header before the first one's table: two "
                    "runs interleaved in one file (nccl-tests built without MPI under mpirun?)",
                    NULL, NULL);
    if (!c || p->has_header || p->has_columns) {
        int rc = open_section(p);
        if (rc)
            return rc;
        c = current(p);
    }
    p->has_header = true;
    const char *g = strstr(line, "nGpus ");
    if (g) {
        /* nGpus is GPUs per thread (-g), 1..1024 as parsim nccl -g takes it (atoi would wrap
         * 99999999999 into a huge -g and a launch floor of hours). */
        char *end;
        errno = 0;
        long v = strtol(g + 6, &end, 10);
        if (errno || end == g + 6 || v < 1 || v > 1024 || (*end && !isspace((unsigned char)*end)))
            return fail(p, p->lineno, "nGpus is not a GPU count in [1, 1024]", NULL, NULL);
        c->gpus_per_thread = (int)v;
    }
    return PS_OK;
}

static int on_rank(parser *p, const char *num)
{
    char *end;
    errno = 0;
    long r = strtol(num, &end, 10);
    if (errno || end == num || r < 0 || r > MAX_RANK)
        return fail(p, p->lineno, "a Rank line without a rank number in [0, 65535]", NULL, NULL);
    if (!current(p) || p->has_columns) {
        int rc = open_section(p);
        if (rc)
            return rc;
    }
    if (!p->ranks && !(p->ranks = calloc(MAX_RANK / 8 + 1, 1)))
        return ps_error_set(p->err, PS_EINTERNAL, "out of memory");
    if (p->ranks[r / 8] & (1u << (r % 8))) {
        char a[32];
        snprintf(a, sizeof a, "%ld", r);
        return fail(p, p->lineno, "rank %s is listed twice: two runs interleaved in one file "
                    "(nccl-tests built without MPI under mpirun?)", a, NULL);
    }
    p->ranks[r / 8] |= (unsigned char)(1u << (r % 8));
    if (p->rank_count++ == 0)
        p->first_rank_line = p->lineno;
    if (r > p->max_rank)
        p->max_rank = (int)r;
    return PS_OK;
}

static int split(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        tok[n++] = t;
    }
    return n;
}

/* "#  size  count  type  redop  root  time  algbw  busbw  #wrong  time ..." */
static int on_columns(parser *p, char *text)
{
    char *tok[MAX_TOKENS];
    int n = split(text, tok, MAX_TOKENS);
    columns c = {n, 0, -1, -1, -1, -1, -1, {-1, -1}, p->lineno};
    for (int i = 1; i < n && i < MAX_TOKENS; i++) {
        if (!strcmp(tok[i], "#wrong")) {
            if (c.wrong[0] < 0)
                c.wrong[0] = i;
            else if (c.wrong[1] < 0)
                c.wrong[1] = i;
        }
        int *slot = !strcmp(tok[i], "count")  ? &c.elements
                  : !strcmp(tok[i], "type")   ? &c.type
                  : !strcmp(tok[i], "redop")  ? &c.redop
                  : !strcmp(tok[i], "root")   ? &c.root
                  : !strcmp(tok[i], "time")   ? &c.time : NULL;
        if (slot && *slot < 0)
            *slot = i;
    }
    if (n > MAX_TOKENS || c.elements < 0 || c.type < 0 || c.time < 0 || c.time + 2 >= n)
        return fail(p, p->lineno, "a column header without size, count, type and time, algbw, "
                    "busbw columns", NULL, NULL);
    ps_nccl_curve *cur = current(p);
    if (cur && p->has_columns && !cur->n_rows && !cur->zero_rows)
        return fail(p, p->lineno, "a second column header before the first one's rows: two runs "
                    "interleaved in one file", NULL, NULL);
    if (!cur || p->has_columns) {
        int rc = open_section(p);
        if (rc)
            return rc;
    }
    p->col = c;
    p->has_columns = true;
    return PS_OK;
}

static int on_comment(parser *p, char *text)
{
    char *s = text + 1;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *start = strstr(s, "Collective test starting:");
    if (start) {
        start += strlen("Collective test starting:");
        while (*start == ' ')
            start++;
        return on_test_starting(p, start);
    }
    if (strstr(s, "Collective test concluded:"))
        return close_section(p);
    if (!strncmp(s, "nThread ", 8))
        return on_nthread(p, s);
    if (!strncmp(s, "Rank ", 5))
        return on_rank(p, s + 5);
    if (!strncmp(s, "size ", 5) && strstr(s, " time"))
        return on_columns(p, s);
    if (!strncmp(s, "Out of bounds values", 20) || !strncmp(s, "Avg bus bandwidth", 17)) {
        if (p->pending_fields)
            return fail(p, p->pending_line, "this row is incomplete: its other fields never came",
                        NULL, NULL);
        if (p->has_columns && !p->footer) {
            p->footer = true;
            p->footer_line = p->lineno;
        }
    }
    return PS_OK; /* units line, "# Using devices", "#", ... */
}

/* ---- rows --------------------------------------------------------------------------------------- */

static int push_row(parser *p, ps_nccl_curve *c, double size, double time_us)
{
    if ((size_t)c->n_rows == p->row_cap) {
        if (p->row_cap >= MAX_ROWS_PER_CURVE)
            return fail(p, p->lineno, "more than 1048576 rows in one test", NULL, NULL);
        /* the two columns grow by the same rule from the same capacity, so they stay equal */
        size_t time_cap = p->row_cap;
        if (ps_grow(&c->size_bytes, &p->row_cap, p->row_cap + 1, sizeof *c->size_bytes) ||
            ps_grow(&c->time_us, &time_cap, time_cap + 1, sizeof *c->time_us))
            return ps_error_set(p->err, PS_EINTERNAL, "out of memory");
    }
    c->size_bytes[c->n_rows] = size;
    c->time_us[c->n_rows] = time_us;
    c->n_rows++;
    return PS_OK;
}

/* Plausibility bounds on a measured row, so a typo or a corrupted file is refused with its line
 * instead of being compared (or overflowing the size rounding, which works in 64-bit counts):
 *   - size <= 1 TiB (PS_NCCL_MAX_SIZE_BYTES, parsim/coll.h: no GPU holds a larger buffer);
 *   - time <= 1e9 us (1000 s per iteration): even 1 TiB at 1 GB/s is ~1100 s, and nccl-tests runs
 *     20 iterations per size by default, so such a row would be a 6-hour size: not a measurement. */
#define MAX_LOG_SIZE_BYTES ((double)PS_NCCL_MAX_SIZE_BYTES)
#define MAX_LOG_TIME_US 1e9

static int check_size_time(parser *p, int line, const char *size_col, double size,
                           const char *time_col, double time_us)
{
    char a[48];
    if (size > MAX_LOG_SIZE_BYTES) {
        snprintf(a, sizeof a, "%.6g", size);
        return fail(p, line, "column %s: size %s B is larger than 1 TiB (no GPU holds that "
                    "buffer)", size_col, a);
    }
    if (time_us > MAX_LOG_TIME_US) {
        snprintf(a, sizeof a, "%.6g", time_us);
        return fail(p, line, "column %s: time %s us is longer than 1e9 us (1000 s per "
                    "iteration: not a measurement)", time_col, a);
    }
    return PS_OK;
}

/* nccl-tests prints count = size / type (per rank x n for the per-rank-count ops, whose size is
 * count x n x type), so the size is always a whole multiple of count x type bytes. */
static int check_count(parser *p, int line, double size, double count, int type_bytes,
                       const char *count_tok, const char *type_tok)
{
    double unit = count * type_bytes;
    bool ok = count == floor(count) &&
              (count == 0 ? size == 0 : (size >= unit && fmod(size, unit) == 0));
    if (ok)
        return PS_OK;
    char fmt[160]; /* the size is a whole number (checked before): no '%' in it */
    snprintf(fmt, sizeof fmt, "column count: size %.0f B does not hold %%s whole %%s elements "
             "(nor that many per rank)", size);
    return fail(p, line, fmt, count_tok, type_tok);
}

/* One complete row (tokens as the header's columns). */
static int table_row(parser *p, char **tok, int line)
{
    ps_nccl_curve *c = current(p);
    const columns *k = &p->col;
    double size, count, time_us, v;
    if (!parse_num(tok[0], &size) || size < 0 || size != floor(size))
        return fail(p, line, "size \"%s\" is not a whole number of bytes", tok[0], NULL);
    if (!parse_num(tok[k->elements], &count) || count < 0)
        return fail(p, line, "count \"%s\" is not a number", tok[k->elements], NULL);
    int tb = type_bytes_of(tok[k->type]);
    if (!tb)
        return fail(p, line, "unknown data type \"%s\"", tok[k->type], NULL);
    if (k->root >= 0 && !parse_num(tok[k->root], &v))
        return fail(p, line, "root \"%s\" is not a number", tok[k->root], NULL);
    if (!parse_num(tok[k->time], &time_us) || !(time_us > 0))
        return fail(p, line, "time \"%s\" is not a positive number", tok[k->time], NULL);
    if (check_size_time(p, line, "size", size, "time", time_us) ||
        check_count(p, line, size, count, tb, tok[k->elements], tok[k->type]))
        return PS_EINPUT;
    for (int f = k->time + 1; f <= k->time + 2; f++)
        if (strcmp(tok[f], "N/A") && !parse_num(tok[f], &v))
            return fail(p, line, "bandwidth \"%s\" is not a number or N/A", tok[f], NULL);
    /* #wrong > 0: the collective's result failed nccl-tests' data check (-c 1), so the time is
     * that of a broken run (nccl-tests' footer says FAILED); it was compared as a measurement */
    for (int w = 0; w < 2; w++)
        if (k->wrong[w] >= 0 && k->wrong[w] < k->count && strcmp(tok[k->wrong[w]], "N/A") &&
            (!parse_num(tok[k->wrong[w]], &v) || v != 0))
            return fail(p, line, "column #wrong: \"%s\" wrong elements%s: this size failed nccl-tests' data "
                        "check, its time is not a measurement of a working collective", tok[k->wrong[w]],
                        w ? " (in-place)" : " (out-of-place)");
    const char *redop = k->redop >= 0 ? tok[k->redop] : "";
    if (!p->first_type[0]) {
        snprintf(p->first_type, sizeof p->first_type, "%s", tok[k->type]);
        snprintf(p->first_redop, sizeof p->first_redop, "%s", redop);
    } else if (strcmp(p->first_type, tok[k->type]) || strcmp(p->first_redop, redop)) {
        char a[64];
        snprintf(a, sizeof a, "%s %s, then %s %s", p->first_type, p->first_redop, tok[k->type],
                 redop);
        return fail(p, line, "the table mixes data types or reduction ops (%s: nccl-tests -d all "
                    "or -o all): parsim compares one type and op per test", a, NULL);
    }
    c->type_bytes = tb;
    if (size == 0) {
        c->zero_rows++; /* NCCL launches nothing for 0 bytes: its time is the harness's */
        return PS_OK;
    }
    if (size < p->last_size) {
        char a[40], b[40];
        snprintf(a, sizeof a, "%.0f", size);
        snprintf(b, sizeof b, "%.0f", p->last_size);
        return fail(p, line, "size %s after %s: the sizes go back (two runs interleaved in one "
                    "file?)", a, b);
    }
    p->last_size = size;
    return push_row(p, c, size, time_us);
}

/* A fragment of a row: a whole row, its beginning (size columns) or its rest. */
static int on_fragment(parser *p, const char *text, bool eol)
{
    char buf[LINE_MAX_BYTES];
    size_t have = p->pending_fields ? strlen(p->pending) : 0, add = strlen(text);
    int line = p->pending_fields ? p->pending_line : p->lineno;
    if (have + 1 + add >= sizeof buf)
        return fail(p, line, "a row longer than 4094 bytes", NULL, NULL);
    if (have) {
        memcpy(buf, p->pending, have);
        buf[have++] = ' ';
    }
    memcpy(buf + have, text, add + 1);
    if (!p->has_columns || !current(p))
        return fail(p, p->lineno, "not part of an nccl-tests table (a row before any \"# size "
                    "count type ... time\" column header: which column is the time?)", NULL, NULL);
    if (p->footer)
        return fail(p, p->lineno, "a table row after the table's footer: two runs interleaved in "
                    "one file?", NULL, NULL);
    char copy[sizeof buf];
    memcpy(copy, buf, sizeof buf);
    char *tok[MAX_TOKENS];
    int n = split(copy, tok, MAX_TOKENS);
    if (n < p->col.count) {
        /* nccl-tests prints a row in several writes; the rest follows (after NCCL INFO lines). */
        memcpy(p->pending, buf, sizeof p->pending);
        p->pending_fields = n;
        p->pending_line = line;
        if (!eol) /* nccl-tests ends every row with a newline and prints a footer after */
            return fail(p, line, "the log ends inside this row (truncated?)", NULL, NULL);
        return PS_OK;
    }
    if (n > p->col.count) {
        char a[32], b[64];
        if (n > MAX_TOKENS)
            snprintf(a, sizeof a, "more than %d", MAX_TOKENS);
        else
            snprintf(a, sizeof a, "%d", n);
        snprintf(b, sizeof b, "%d (line %d)", p->col.count, p->col.line);
        return fail(p, line, "not part of an nccl-tests table (%s fields where the column header "
                    "has %s)", a, b);
    }
    p->pending_fields = 0;
    if (!eol)
        return fail(p, line, "the log ends inside this row (truncated?)", NULL, NULL);
    return table_row(p, tok, line);
}

/* ---- a physical line ---------------------------------------------------------------------------- */

/* Removes mpirun tags anywhere ("[1,0]<stdout>:", "[1,0]<stderr>:", "[0]") and an srun
 * "--label" prefix ("  3: "), replacing each by a space. */
static void strip_tags(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (*r == '[') {
            char *q = r + 1;
            while (isdigit((unsigned char)*q))
                q++;
            if (*q == ',' && q > r + 1) {
                char *q2 = q + 1;
                while (isdigit((unsigned char)*q2))
                    q2++;
                if (q2 > q + 1 && *q2 == ']' &&
                    (!strncmp(q2 + 1, "<stdout>:", 9) || !strncmp(q2 + 1, "<stderr>:", 9))) {
                    *w++ = ' ';
                    r = q2 + 10;
                    continue;
                }
            } else if (*q == ']' && q > r + 1) {
                *w++ = ' ';
                r = q + 1;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
    char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    char *d = p;
    while (isdigit((unsigned char)*d))
        d++;
    if (d > p && d[0] == ':' && (d[1] == ' ' || d[1] == '\0'))
        memset(s, ' ', (size_t)(d + 1 - s));
}

/* Cuts an NCCL_DEBUG message ("host:pid:tid [d] NCCL INFO ..."; the [d] is gone with the tags)
 * off the line, keeping what precedes it: the start of a table row nccl-tests was printing. */
static bool cut_nccl_debug(char *s)
{
    static const char *const levels[] = {" NCCL INFO", " NCCL WARN", " NCCL CALL", " NCCL TRACE",
                                         " NCCL ABORT", NULL};
    char *at = NULL;
    for (int i = 0; levels[i]; i++) {
        char *m = strstr(s, levels[i]);
        if (m && (!at || m < at))
            at = m;
    }
    if (!at)
        return false;
    char *e = at;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    char *b = e;
    while (b > s && b[-1] != ' ' && b[-1] != '\t')
        b--;
    if (memchr(b, ':', (size_t)(e - b)))
        *b = '\0'; /* the host:pid:tid token */
    else
        *at = '\0';
    return true;
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

/* A fragment that continues a pending row: numbers and N/A only. */
static bool numeric_fragment(const char *s)
{
    char copy[LINE_MAX_BYTES];
    snprintf(copy, sizeof copy, "%s", s);
    char *tok[MAX_TOKENS];
    int n = split(copy, tok, MAX_TOKENS);
    double v;
    for (int i = 0; i < n && i < MAX_TOKENS; i++)
        if (strcmp(tok[i], "N/A") && !parse_num(tok[i], &v))
            return false;
    return n > 0;
}

/* A line outside any table: skipped, but it may name the next test ("+ ./all_gather_perf -b 8")
 * or report nccl-tests' failure. */
static int on_noise(parser *p, const char *s)
{
    if (strstr(s, "Test failure") || strstr(s, "Test NCCL failure") ||
        strstr(s, "Test CUDA failure")) {
        char text[96];
        printable(text, sizeof text, s, 80);
        return fail(p, p->lineno, "nccl-tests reports a failure here: \"%s\"", text, NULL);
    }
    if (p->open && p->has_columns && !p->footer)
        return PS_OK; /* inside a table: names no next test */
    for (const char *q = strstr(s, "_perf"); q; q = strstr(q + 1, "_perf")) {
        const char *b = q;
        while (b > s && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
            b--;
        char name[32];
        if (!perf_name(b, name, sizeof name))
            continue;
        if (p->hint[0] && strcmp(p->hint, name))
            p->hint_ambiguous = true;
        snprintf(p->hint, sizeof p->hint, "%s", name);
    }
    return PS_OK;
}

static int on_line(parser *p, char *line, bool eol)
{
    strip_tags(line);
    bool debug = cut_nccl_debug(line);
    char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' ' ||
                   s[len - 1] == '\t'))
        s[--len] = '\0';
    if (!*s)
        return PS_OK;
    if (*s == '#')
        return on_comment(p, s);
    if (!strncmp(s, "NCCL version ", 13))
        return PS_OK;
    if (p->pending_fields) {
        if (numeric_fragment(s))
            return on_fragment(p, s, eol || debug);
        if (isdigit((unsigned char)*s))
            return fail(p, p->pending_line, "this row is incomplete: a new row starts at the next "
                        "fragment", NULL, NULL);
        return on_noise(p, s);
    }
    char first[64];
    size_t w = strcspn(s, " \t");
    printable(first, sizeof first, s, w < 63 ? w : 63);
    if (is_uint(first))
        return on_fragment(p, s, eol || debug);
    if (p->has_columns && !p->footer && s[0] == '-' && isdigit((unsigned char)s[1]))
        return fail(p, p->lineno, "size %s is negative (an edited or corrupted row)", first, NULL);
    if (p->has_columns && !p->footer && isdigit((unsigned char)*s)) {
        char at[32];
        snprintf(at, sizeof at, "%d", p->col.line);
        return fail(p, p->lineno, "not part of an nccl-tests table (not a row of the table whose "
                    "column header is at line %s)", at, NULL);
    }
    return on_noise(p, s);
}

/* ---- files ---------------------------------------------------------------------------------------- */

/* fgets that also reports NUL bytes: fgets hides them, so a line of NULs (a corrupted log,
 * /dev/zero) looked blank and an endless one was read forever. Returns the length, -1 at EOF. */
static long read_line(FILE *f, char *buf, size_t size, bool *nul)
{
    size_t n = 0;
    int ch;
    *nul = false;
    while (n + 1 < size && (ch = getc(f)) != EOF) {
        *nul |= ch == '\0';
        buf[n++] = (char)ch;
        if (ch == '\n')
            break;
    }
    buf[n] = '\0';
    return n == 0 ? -1 : (long)n;
}

static int csv_row(ps_nccl_log *log, parser *p, char *line)
{
    double f[4];
    int nf = 0;
    for (char *t = line; nf < 5; nf++) {
        char *comma = strchr(t, ',');
        if (comma)
            *comma = '\0';
        size_t len = strlen(t);
        while (len && (t[len - 1] == '\r' || t[len - 1] == '\n'))
            t[--len] = '\0';
        if (nf < 4 && !parse_num(t, &f[nf])) {
            char a[16], b[80];
            snprintf(a, sizeof a, "%d", nf + 1);
            printable(b, sizeof b, t, 60);
            return fail(p, p->lineno, "field %s \"%s\" is not a number", a, b);
        }
        if (!comma) {
            nf++;
            break;
        }
        t = comma + 1;
    }
    if (nf != 4)
        return fail(p, p->lineno, "expected 4 fields (size_bytes,time_us,algbw_GBps,busbw_GBps)",
                    NULL, NULL);
    if (f[0] < 0 || !(f[1] > 0))
        return fail(p, p->lineno, "size must be >= 0 and time > 0", NULL, NULL);
    if (check_size_time(p, p->lineno, "size_bytes", f[0], "time_us", f[1]))
        return PS_EINPUT;
    /* as a log's rows: 1024.5 bytes was compared as a size; a 0-byte row (NCCL launches
     * nothing) is skipped and counted instead of compared with the harness's time */
    if (f[0] != floor(f[0])) {
        char a[40];
        snprintf(a, sizeof a, "%.6g", f[0]);
        return fail(p, p->lineno, "size_bytes %s is not a whole number of bytes", a, NULL);
    }
    if (f[0] == 0) {
        log->curves[0].zero_rows++;
        return PS_OK;
    }
    return push_row(p, &log->curves[0], f[0], f[1]);
}

/* A line longer than the buffer: no table row or header is that long, but noise can be (a
 * progress bar redrawn with '\r', a long NCCL topology dump). Its rest is read and dropped; it
 * is skipped when its start is noise outside a table, refused otherwise. */
static int long_line(parser *p, FILE *f, char *start)
{
    int ch;
    while ((ch = getc(f)) != EOF && ch != '\n')
        if (ch == '\0')
            return fail(p, p->lineno, "NUL byte (not a text log)", NULL, NULL);
    strip_tags(start);
    bool debug = cut_nccl_debug(start);
    const char *s = start;
    while (*s == ' ' || *s == '\t')
        s++;
    bool in_table = p->open && p->has_columns && !p->footer;
    if ((debug && !*s) || (!in_table && !p->pending_fields && *s != '#' &&
                           !isdigit((unsigned char)*s)))
        return PS_OK;
    return fail(p, p->lineno, "line longer than 4094 bytes", NULL, NULL);
}

int ps_nccl_log_read_stream(FILE *f, const char *name, int gpus, ps_nccl_log *log, ps_error *err)
{
    memset(log, 0, sizeof *log);
    snprintf(log->path, sizeof log->path, "%s", name);
    parser p;
    memset(&p, 0, sizeof p);
    p.name = name;
    p.gpus_override = gpus;
    p.log = log;
    p.err = err;
    char line[LINE_MAX_BYTES];
    int rc = PS_OK;
    bool csv = false, nul;
    long got;
    while (!rc && (got = read_line(f, line, sizeof line, &nul)) >= 0) {
        p.lineno++;
        size_t len = (size_t)got;
        if (p.lineno == 1 && len >= 3 && !nul && (len < sizeof line - 1 || line[len - 1] == '\n') &&
            !memcmp(line, "\xEF\xBB\xBF", 3)) {
            /* a UTF-8 byte order mark: the CSV header was not recognised and read as a log */
            memmove(line, line + 3, len - 2);
            len -= 3;
        }
        if (len == 0)
            continue;
        if (nul) {
            rc = fail(&p, p.lineno, "NUL byte (not a text log)", NULL, NULL);
        } else if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = long_line(&p, f, line);
        } else if (p.lineno == 1 && !strncmp(line, "size_bytes,time_us", 18)) {
            csv = true;
            rc = open_section(&p);
            log->curves[0].section = 0;
        } else if (csv) {
            rc = blank(line) ? PS_OK : csv_row(log, &p, line);
        } else {
            rc = on_line(&p, line, line[len - 1] == '\n');
        }
    }
    if (!rc && ferror(f))
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", name);
    if (!rc && p.pending_fields)
        rc = fail(&p, p.pending_line, "the log ends inside this row (truncated?)", NULL, NULL);
    if (!rc && csv) {
        p.open = false;
        if (log->curves[0].n_rows == 0)
            rc = fail(&p, p.lineno, "no measurement rows", NULL, NULL);
        else if (gpus > 0)
            log->curves[0].gpus = gpus;
    } else if (!rc) {
        rc = close_section(&p);
    }
    if (!rc && log->n_curves == 0)
        rc = fail(&p, p.lineno > 0 ? p.lineno : 1, "no measurement rows (no nccl-tests table in "
                  "the log)", NULL, NULL);
    free(p.ranks);
    if (rc)
        ps_nccl_log_free(log);
    return rc;
}

int ps_nccl_log_read(const char *path, int gpus, ps_nccl_log *log, ps_error *err)
{
    memset(log, 0, sizeof *log);
    FILE *f = fopen(path, "r");
    if (!f)
        return ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    int rc = ps_nccl_log_read_stream(f, path, gpus, log, err);
    fclose(f);
    return rc;
}

void ps_nccl_log_free(ps_nccl_log *log)
{
    for (int i = 0; i < log->n_curves; i++)
        ps_nccl_curve_free(&log->curves[i]);
    free(log->curves);
    log->curves = NULL;
    log->n_curves = 0;
}

void ps_nccl_curve_free(ps_nccl_curve *c)
{
    free(c->size_bytes);
    free(c->time_us);
    c->size_bytes = c->time_us = NULL;
    c->n_rows = 0;
}

void ps_nccl_log_take(ps_nccl_log *log, int index, ps_nccl_curve *out)
{
    *out = log->curves[index];
    log->curves[index].size_bytes = log->curves[index].time_us = NULL;
    log->curves[index].n_rows = 0;
}

/* ---- picking a curve ------------------------------------------------------------------------------ */

const char *ps_nccl_curve_unsupported(const ps_nccl_curve *c)
{
    if (c->has_op)
        return "";
    if (!c->op_name[0])
        return "the log does not name its collective";
    return ps_nccl_tests_unmodelled(c->op_name) ? "parsim does not model this collective"
                                                : "not an nccl-tests collective parsim knows";
}

static void list_sections(const ps_nccl_log *log, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < log->n_curves && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%d: %s", i ? ", " : "", i + 1,
                         log->curves[i].op_name[0] ? log->curves[i].op_name : "?");
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

int ps_nccl_log_select(const ps_nccl_log *log, const char *op_name, int section, int *index,
                       ps_error *err)
{
    char have[256];
    list_sections(log, have, sizeof have);
    if (section > 0) {
        if (section > log->n_curves)
            return ps_error_set(err, PS_EINPUT, "%s: --section %d, but the log has %d test%s (%s)",
                                log->path, section, log->n_curves, log->n_curves == 1 ? "" : "s",
                                have);
        const ps_nccl_curve *c = &log->curves[section - 1];
        if (op_name && c->op_name[0] && strcmp(c->op_name, op_name))
            return ps_error_set(err, PS_EINPUT, "%s: section %d is %s, not %s", log->path, section,
                                c->op_name, op_name);
        *index = section - 1;
        return PS_OK;
    }
    if (!op_name) {
        if (log->n_curves != 1)
            return ps_error_set(err, PS_EINPUT, "%s holds %d tests (%s): pick one with --op OP or "
                                "--section N", log->path, log->n_curves, have);
        *index = 0;
        return PS_OK;
    }
    int found = -1, count = 0;
    for (int i = 0; i < log->n_curves; i++)
        if (!strcmp(log->curves[i].op_name, op_name)) {
            if (found < 0)
                found = i;
            count++;
        }
    if (count == 0 && log->n_curves == 1 && !log->curves[0].op_name[0])
        found = 0, count = 1; /* an unnamed single test: the caller names it */
    if (count == 0)
        return ps_error_set(err, PS_EINPUT, "%s has no %s test (%s)", log->path, op_name, have);
    if (count > 1)
        return ps_error_set(err, PS_EINPUT, "%s holds %d %s tests (%s): pick one with --section N",
                            log->path, count, op_name, have);
    *index = found;
    return PS_OK;
}

int ps_nccl_curve_read(const char *path, ps_nccl_curve *curve, ps_error *err)
{
    ps_nccl_log log;
    memset(curve, 0, sizeof *curve);
    int rc = ps_nccl_log_read(path, 0, &log, err);
    int index = 0;
    if (!rc && (rc = ps_nccl_log_select(&log, NULL, 0, &index, err)) == PS_OK)
        ps_nccl_log_take(&log, index, curve);
    ps_nccl_log_free(&log);
    return rc;
}
