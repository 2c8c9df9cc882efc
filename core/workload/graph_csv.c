/* CSV export of op graphs (`parsim plan --ops FILE.csv`): one row per (rank, op), RFC 4180
 * quoting, written atomically. Columns (docs/workload.md describes each):
 *   phase,step,rank,replica,stage,tp_rank,index,op_id,kind,stream,dtype,microbatch,layer,tokens,
 *   m,n,k,seqs,context,flops,bytes_read,bytes_written,comm_bytes,group,group_ranks,peer,deps,
 *   gemm_role,heads,kv_heads,head_dim,prefix,width
 * (the last six were appended after the first release: readers that take columns by name, or the
 * first 27 by position, are unaffected).
 * Numbers are printed with %.17g so that a reader gets the double back exactly and two runs are
 * byte-identical; group_ranks is "first-last", deps are ';'-separated indices into the rank's ops.
 */
#include "parsim/graph.h"
#include "parsim/util.h"

#include <string.h>

#define CSV_HEADER                                                                                     \
    "phase,step,rank,replica,stage,tp_rank,index,op_id,kind,stream,dtype,microbatch,layer,tokens,"    \
    "m,n,k,seqs,context,flops,bytes_read,bytes_written,comm_bytes,group,group_ranks,peer,deps,"        \
    "gemm_role,heads,kv_heads,head_dim,prefix,width\n"

/* Writes a text field, quoted only when it holds a separator, a quote or a line break. */
static void put_field(FILE *fp, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, fp);
        return;
    }
    fputc('"', fp);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', fp);
        fputc(*c, fp);
    }
    fputc('"', fp);
}

static void put_op(FILE *fp, const ps_graph *g, const ps_rank_ops *r, size_t index)
{
    const ps_op *op = &r->ops[index];
    fprintf(fp, "%s,%lld,%d,%d,%d,%d,%zu,", ps_phase_name(g->step.phase), (long long)g->step.index, r->rank,
            r->replica, r->stage, r->tp_rank, index);
    put_field(fp, op->id);
    fprintf(fp, ",%s,%s,%s,%d,%d,%lld,%lld,%lld,%lld,%lld,%lld,%.17g,%.17g,%.17g,%.17g,%d,",
            ps_op_kind_name(op->kind), ps_stream_name(op->stream), ps_dtype_name(op->dtype), op->microbatch,
            op->layer, (long long)op->tokens, (long long)op->m, (long long)op->n, (long long)op->k,
            (long long)op->seqs, (long long)op->context, op->flops, op->bytes_read, op->bytes_written,
            op->comm_bytes, op->group);
    if (op->group >= 0) {
        const ps_comm_group *grp = &g->groups[op->group];
        fprintf(fp, "%d-%d", grp->first_rank, grp->first_rank + grp->size - 1);
    }
    fprintf(fp, ",%d,", op->peer);
    for (int d = 0; d < op->ndeps; d++)
        fprintf(fp, "%s%d", d ? ";" : "", op->deps[d]);
    fprintf(fp, ",%s,%lld,%lld,%lld,%lld,%lld\n", ps_gemm_role_name(op->gemm_role), (long long)op->heads,
            (long long)op->kv_heads, (long long)op->head_dim, (long long)op->prefix, (long long)op->width);
}

int ps_graph_write_csv(const ps_graph *const *graphs, int ngraphs, const char *path, ps_error *err)
{
    ps_atomic_file af;
    int rc = ps_atomic_open(&af, path, err);
    if (rc)
        return rc;
    fputs(CSV_HEADER, af.fp);
    for (int gi = 0; gi < ngraphs; gi++) {
        const ps_graph *g = graphs[gi];
        for (int rank = 0; rank < g->nranks; rank++)
            for (size_t i = 0; i < g->ranks[rank].count; i++)
                put_op(af.fp, g, &g->ranks[rank], i);
    }
    return ps_atomic_commit(&af, err);
}
