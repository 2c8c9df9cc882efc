/* sim/cli/cost_cli.h: what `parsim cost` shares between its modes (cmd_cost.c, cost_cli.c). */
#ifndef PARSIM_COST_CLI_H
#define PARSIM_COST_CLI_H

#include "parsim/cost.h"

/* Query fields, in the order of cmd_cost.c's shape flags (and the --queries column names). */
typedef enum cost_field {
    COST_F_OP = 0, COST_F_DTYPE, COST_F_LAUNCH, COST_F_OP_ID, COST_F_M, COST_F_N, COST_F_K, COST_F_PHASE,
    COST_F_SEQS, COST_F_TOKENS, COST_F_CONTEXT, COST_F_PREFIX, COST_F_HEADS, COST_F_KV_HEADS, COST_F_HEAD_DIM,
    COST_F_WIDTH, COST_FIELD_COUNT
} cost_field;

/* Builds a query from text fields (NULL or "" = absent); `where` prefixes messages ("" for
 * flags, "FILE:LINE: column " for rows: the field's name follows). */
int cost_cli_query(const char *const *field, const char *where, ps_cost_query *q, ps_error *err);
void cost_cli_describe(const ps_cost_query *q, char *out, size_t size);
/* --queries: reads the CSV, writes it back with the answer columns to `out` (NULL: stdout). */
int cost_cli_queries(const ps_cost_model *m, const char *path, const char *out, ps_error *err);
/* --errors: the markdown error table of the model against measured data. */
int cost_cli_errors(const ps_cost_model *m, const char *const *specs, int n, ps_error *err);
/* The values of a word field (COST_F_OP: the op kinds the cost model prices, in enum order;
 * COST_F_DTYPE, COST_F_LAUNCH, COST_F_PHASE), from the code's tables: "a, b[last_separator]c". */
void cost_cli_value_list(cost_field field, char *out, size_t size, const char *last_separator);

#endif
