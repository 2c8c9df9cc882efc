/* sim/coll/allreduce_engine.c: the table of the serving engines' own all-reduce algorithms and the
 * one path that runs any of them (allreduce_engine.h has the model).
 *
 * A call with algo PS_ALGO_TRTLLM or PS_ALGO_VLLM asks the engine's selection (its file) which
 * kernel it would launch for this tensor on this group; -1 hands the call to NCCL's tuner, as the
 * engine does, and the result says so (fallback_why). A kernel is a shape on the group -- its
 * geometry is walked on the SimGrid routes like NCCL's (engine_traffic.c) and memoized per
 * (engine, kernel) -- and one protocol row; ps_coll_predict gives its closed form and
 * ps_coll_run (engine_run.c) runs the same schedule in SimGrid (one parallel task holding all
 * the kernel's flows, so they contend with other traffic), equal on an idle platform
 * (coll.engine.exact).
 */
#include <stdio.h>
#include <string.h>

#include <simgrid/host.h>

#include "engine.h"
#include "parsim/gpu.h"

static const coll_engine_ar *const engines[] = {&coll_engine_ar_trtllm, &coll_engine_ar_vllm};

/* The hidden size a call without row_bytes is read with (`parsim nccl --algo trtllm`): 4096,
 * Llama-3.1-8B's (and the first hidden size of TensorRT-LLM's strategy tables at which every
 * TP size has all three choices). A message smaller than one such row is one token. */
#define DEFAULT_HIDDEN 4096.0

bool ps_coll_algo_is_engine(ps_coll_algo algo) { return coll_engine_ar_of(algo) != NULL; }

const coll_engine_ar *coll_engine_ar_of(ps_coll_algo algo)
{
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (engines[i]->algo == algo)
            return engines[i];
    return NULL;
}

/* Compute capability x 10 from the GPU's architecture (parsim/gpu.h catalogue): the engines key
 * their tables by it. Unknown GPUs are read as Hopper. */
static int gpu_sm(const ps_platform_gpu *gpu)
{
    const ps_gpu_spec *spec = gpu && gpu->gpu_model ? ps_gpu_find(gpu->gpu_model) : NULL;
    if (spec && spec->architecture && !strcmp(spec->architecture, "blackwell"))
        return 100;
    if (spec && spec->architecture && !strcmp(spec->architecture, "ampere"))
        return 80;
    return 90;
}

static coll_engine_query make_query(const ps_coll_group *g, const ps_coll_call *call)
{
    const ps_coll_ctx *ctx = g->ctx;
    coll_engine_query q = {.n = g->n, .bytes = call->bytes, .one_node = g->topo.nodes == 1,
                           .nvls = g->nvls_ok};
    q.type_bytes = call->type_bytes > 0 ? call->type_bytes : 2;
    q.nvlink_all = q.one_node && ctx->fabric.kind != PS_FABRIC_PCIE && ctx->fabric.nvlink_generation > 0;
    q.sm = gpu_sm(ps_platform_gpu_at(ctx->platform, g->ranks[0]));
    double row = call->row_bytes > 0 ? call->row_bytes : DEFAULT_HIDDEN * q.type_bytes;
    if (call->row_bytes <= 0 && call->bytes < row)
        row = call->bytes; /* one token */
    q.hidden = row / q.type_bytes;
    q.tokens = row > 0 ? call->bytes / row : 0;
    return q;
}

static coll_shape kernel_shape(const coll_engine_kernel *k, int n)
{
    coll_shape s = {.pattern = k->pattern, .steps = k->steps};
    if (k->pattern == PAT_NVLS) {
        s.up_frac = k->up_frac / k->steps;
        s.down_frac = k->down_frac / k->steps;
    } else {
        s.arc_frac = (k->pair_frac + k->pair_frac_per_n / n) / k->steps;
    }
    return s;
}

static int kernel_geom(const ps_coll_group *g, const coll_engine_ar *e, int k, coll_geom *out,
                       ps_error *err)
{
    coll_geom *c = &g->memo->engine_geom[e->algo][k];
    if (!c->valid) {
        coll_shape s = kernel_shape(&e->kernels[k], g->n);
        int rc = coll_shape_geom(g, &s, c, err);
        if (rc)
            return rc;
    }
    *out = *c;
    return PS_OK;
}

/* The kernel's protocol row (allreduce_engine.h): the graph-launched kernel's fixed cost; per
 * step the GPU-to-GPU route latency (a barrier is a flag written into a peer's memory, also for
 * the multicast kernels whose data flows end at the switch), plus the fitted cost of ordered
 * (release/acquire) barriers once for a kernel that has them (allreduce_engine.h); the
 * platform's calibrated peer (or multicast) efficiency. */
static ps_coll_proto_params kernel_row(const ps_coll_group *g, const coll_engine_kernel *k)
{
    const ps_coll_params *p = &g->ctx->params;
    double eff = k->pattern == PAT_NVLS ? p->nvls.eff : p->p2p.eff;
    double hop_s = g->n > 1 ? sg_host_get_route_latency(g->hosts[0], g->hosts[1]) : 0;
    double base_us = COLL_ENGINE_KERNEL_FIXED_US + (k->ordered_sync ? COLL_ENGINE_ORDERED_SYNC_US : 0);
    return (ps_coll_proto_params){base_us, hop_s * 1e6, eff > 0 ? eff : 1, 0};
}

static double kernel_time(const ps_coll_proto_params *row, const coll_geom *geom, double bytes)
{
    double tb = geom->shape.steps * bytes * geom->step_s_per_byte / row->eff;
    return coll_latency_s(row, 0, 0, geom) + tb;
}

int coll_engine_predict(const ps_coll_group *g, const ps_coll_call *call, ps_coll_result *res,
                        ps_error *err)
{
    const coll_engine_ar *e = coll_engine_ar_of(call->algo);
    if (!e)
        return ps_error_set(err, PS_EINTERNAL, "%s is not an engine all-reduce",
                            ps_coll_algo_name(call->algo));
    if (call->op != PS_COLL_ALL_REDUCE)
        return ps_error_set(err, PS_EINPUT, "%s is %s's all_reduce: it has no %s", e->name,
                            e->engine, ps_coll_op_name(call->op));
    if (call->proto != PS_PROTO_AUTO)
        return ps_error_set(err, PS_EINPUT, "%s picks its own kernels: it takes no protocol (%s)",
                            e->name, ps_coll_proto_name(call->proto));
    coll_engine_query q = make_query(g, call);
    const char *why = "";
    int k = e->select(&q, &why);
    if (k < 0) {
        ps_coll_call nccl = *call;
        nccl.algo = PS_ALGO_AUTO;
        int rc = ps_coll_predict(g, &nccl, res, err);
        res->engine = e->name;
        res->fallback_why = why;
        return rc;
    }
    return coll_engine_predict_kernel(g, e, k, call->bytes, res, err);
}

int coll_engine_kernel_index(const coll_engine_ar *e, const char *name)
{
    for (int k = 0; e && name && k < e->kernel_count; k++)
        if (!strcmp(e->kernels[k].name, name))
            return k;
    return -1;
}

int coll_engine_predict_kernel(const ps_coll_group *g, const coll_engine_ar *e, int k, double bytes,
                               ps_coll_result *res, ps_error *err)
{
    if (k < 0 || k >= e->kernel_count)
        return ps_error_set(err, PS_EINPUT, "%s has no kernel %d", e->name, k);
    if (e->kernels[k].pattern == PAT_NVLS && !g->nvls_ok)
        return ps_error_set(err, PS_EINPUT, "%s/%s needs an NVLS switch", e->name, e->kernels[k].name);
    coll_geom geom;
    int rc = kernel_geom(g, e, k, &geom, err);
    if (rc)
        return rc;
    ps_coll_proto_params row = kernel_row(g, &e->kernels[k]);
    *res = (ps_coll_result){.time_s = kernel_time(&row, &geom, bytes), .algo = e->algo,
                            .proto = PS_PROTO_AUTO, .engine = e->name, .kernel = e->kernels[k].name};
    return PS_OK;
}

int coll_engine_plan(const ps_coll_group *g, const ps_coll_call *call, const ps_coll_result *res,
                     coll_geom *geom, ps_coll_proto_params *row, double *eff, ps_error *err)
{
    (void)call;
    const coll_engine_ar *e = coll_engine_ar_of(res->algo);
    for (int k = 0; e && k < e->kernel_count; k++)
        if (res->kernel == e->kernels[k].name) {
            int rc = kernel_geom(g, e, k, geom, err);
            *row = kernel_row(g, &e->kernels[k]);
            *eff = row->eff;
            return rc;
        }
    return ps_error_set(err, PS_EINTERNAL, "no engine kernel '%s' in %s",
                        res->kernel ? res->kernel : "", ps_coll_algo_name(res->algo));
}

void ps_coll_result_tag(const ps_coll_result *res, char *buf, size_t size)
{
    if (res->kernel)
        snprintf(buf, size, "%s/%s", ps_coll_algo_name(res->algo), res->kernel);
    else if (res->engine && res->fallback_why)
        snprintf(buf, size, "%s/%s (%s -> NCCL: %s)", ps_coll_algo_name(res->algo),
                 ps_coll_proto_name(res->proto), res->engine, res->fallback_why);
    else
        snprintf(buf, size, "%s/%s", ps_coll_algo_name(res->algo), ps_coll_proto_name(res->proto));
}
