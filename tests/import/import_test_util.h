/* tests/import/import_test_util.h: helpers shared by the importer tests: scratch directories,
 * writing input files, and reading an imported trace back with the strict trace readers (so a
 * test checks what a user of the trace would see, not the importer's internals). */
#ifndef PARSIM_IMPORT_TEST_UTIL_H
#define PARSIM_IMPORT_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/import.h"
#include "parsim/trace.h"

#define IMP_MAX_ROWS 64

typedef struct imp_rows {
    size_t n_acts, n_comms;
    ps_trace_activity acts[IMP_MAX_ROWS];
    char act_names[IMP_MAX_ROWS][160];
    char act_ops[IMP_MAX_ROWS][PS_TRACE_MAX_ID_BYTES + 1]; /* op ids, "" = none */
    ps_trace_comm comms[IMP_MAX_ROWS];
    char comm_groups[IMP_MAX_ROWS][64];
    char comm_dtypes[IMP_MAX_ROWS][16];
    char comm_ops[IMP_MAX_ROWS][PS_TRACE_MAX_ID_BYTES + 1];
    ps_trace_meta meta;
} imp_rows;

/* A fresh scratch directory (mkdtemp) that the test removes with imp_rm_rf. */
static inline void imp_scratch(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/parsim-import-XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

static inline void imp_rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static inline void imp_write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        abort();
    fputs(text, fp);
    fclose(fp);
}

/* The fixture of an importer test: a scratch folder holding the input file and the output trace. */
typedef struct imp_fixture {
    char dir[64];
    char in[128];
    char out[128];
} imp_fixture;

static inline int imp_fixture_setup(void **state, const char *input_name)
{
    imp_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    imp_scratch(f->dir, sizeof f->dir);
    snprintf(f->in, sizeof f->in, "%s/%s", f->dir, input_name);
    snprintf(f->out, sizeof f->out, "%s/trace", f->dir);
    *state = f;
    return 0;
}

static inline int imp_fixture_teardown(void **state)
{
    imp_fixture *f = *state;
    imp_rm_rf(f->dir);
    free(f);
    return 0;
}

/* Reads every row back (at most IMP_MAX_ROWS per table); returns the reader's status. */
static inline int imp_read_back(const char *dir, imp_rows *rows, ps_error *err)
{
    memset(rows, 0, sizeof *rows);
    int rc = ps_trace_read_meta(dir, &rows->meta, err);
    if (rc)
        return rc;
    ps_trace_reader *r;
    if ((rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err)))
        return rc;
    for (;;) {
        ps_trace_activity a;
        bool done;
        if ((rc = ps_trace_next_activity(r, &a, &done, err)) || done)
            break;
        if (rows->n_acts < IMP_MAX_ROWS) {
            snprintf(rows->act_names[rows->n_acts], sizeof rows->act_names[0], "%s", a.name);
            a.name = rows->act_names[rows->n_acts];
            snprintf(rows->act_ops[rows->n_acts], sizeof rows->act_ops[0], "%s", a.op_id ? a.op_id : "");
            a.op_id = rows->act_ops[rows->n_acts];
            rows->acts[rows->n_acts++] = a;
        }
    }
    ps_trace_reader_close(r);
    if (rc || (rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_COMMS, err)))
        return rc;
    for (;;) {
        ps_trace_comm c;
        bool done;
        if ((rc = ps_trace_next_comm(r, &c, &done, err)) || done)
            break;
        if (rows->n_comms < IMP_MAX_ROWS) {
            size_t i = rows->n_comms++;
            snprintf(rows->comm_groups[i], sizeof rows->comm_groups[0], "%s", c.group_id);
            snprintf(rows->comm_dtypes[i], sizeof rows->comm_dtypes[0], "%s", c.dtype);
            c.group_id = rows->comm_groups[i];
            c.dtype = rows->comm_dtypes[i];
            snprintf(rows->comm_ops[i], sizeof rows->comm_ops[0], "%s", c.op_id ? c.op_id : "");
            c.op_id = rows->comm_ops[i];
            rows->comms[i] = c;
        }
    }
    ps_trace_reader_close(r);
    return rc;
}

#endif
