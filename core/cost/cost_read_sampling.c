/* Reader for the sampler kernel table derived from public measurements
 * (docs/data/sampling-kernels.csv; provenance, exact figures and what each row is in
 * docs/data/sampling-kernels.md):
 *   source,url,gpu,library,kernel,method,distribution,param,deterministic,batch,vocab,input_dtype,time_us,timing
 * One row per kernel time: gpu is a catalogue name; method greedy, top_k or top_p (top-k and
 * top-p both run FlashInfer's rejection-sampling kernels: ps_cost_query.sampler); batch = rows
 * sampled (the query's tokens), vocab = the row width. The query's dtype is bf16, the op graph's
 * logits dtype: the stochastic kernels read fp32 probabilities whatever it is (family_sampling.c
 * counts 4 bytes a logit). For @filters: `op` is the method, `model` the source (the PR or issue
 * the figure comes from, e.g. model=flashinfer-pr2945); the data set tag is the library.
 */
#include <stdio.h>
#include <string.h>

#include "cost_points.h"

int cost_read_sampling_kernels(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    const char *names[] = {"gpu", "library", "method", "batch", "vocab", "time_us", "source"};
    int col[7];
    for (int i = 0; i < 7; i++)
        if ((col[i] = cost_csv_col(c, names[i])) < 0)
            return ps_error_set(err, PS_EINPUT, "%s:1: no column '%s'", c->path, names[i]);
    int more, rc;
    while ((more = cost_csv_next(c, err)) > 0) {
        cost_point p = {.s.batch = 1};
        const char *gpu = c->field[col[0]], *method = c->field[col[2]];
        if (!(p.gpu = ps_gpu_find(gpu)))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: gpu: '%.40s' is not a catalogue GPU", c->path, c->lineno, gpu);
        ps_sampler_method sampler;
        if (!strcmp(method, "greedy"))
            sampler = PS_SAMPLER_GREEDY;
        else if (!strcmp(method, "top_k") || !strcmp(method, "top_p"))
            sampler = PS_SAMPLER_TOP_K_TOP_P;
        else
            return ps_error_set(err, PS_EINPUT, "%s:%ld: method: '%.40s' (expected greedy, top_k or top_p)", c->path,
                                c->lineno, method);
        /* batch and vocab are counts: 128512.5 was truncated to 128512 and fitted */
        double v[3];
        for (int i = 0; i < 3; i++)
            if ((rc = (i < 2 ? cost_csv_count : cost_csv_num)(c, col[3 + i], &v[i], err)))
                return rc;
        if ((rc = cost_csv_small(c, "batch", v[0], err)))
            return rc;
        p.s.q = (ps_cost_query){.kind = PS_OP_SAMPLING, .dtype = PS_DTYPE_BF16, .launch = PS_LAUNCH_GRAPH,
                                .tokens = (int64_t)v[0], .width = (int64_t)v[1], .sampler = sampler};
        p.time_us = v[2];
        snprintf(p.source, sizeof p.source, "%.15s", c->field[col[1]]);
        snprintf(p.op, sizeof p.op, "%s", method);
        snprintf(p.model, sizeof p.model, "%.39s", c->field[col[6]]);
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}
