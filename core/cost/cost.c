/* The op cost model (parsim/cost.h): source selection (trace -> table -> model), the eager launch
 * model, envelopes and errors, coefficient lookup. The per-family closed forms are in family_*.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost_internal.h"
#include "cost_model.h"
#include "parsim/data.h"

const cost_family *const cost_families[COST_FAMILY_COUNT] = {
    &cost_family_gemm, &cost_family_attention, &cost_family_eltwise, &cost_family_gather, &cost_family_sampling};

const char *ps_launch_mode_name(ps_launch_mode mode) { return mode == PS_LAUNCH_EAGER ? "eager" : "graph"; }

bool ps_launch_mode_parse(const char *text, ps_launch_mode *out)
{
    if (!text)
        return false;
    if (!strcmp(text, "graph"))
        *out = PS_LAUNCH_GRAPH;
    else if (!strcmp(text, "eager"))
        *out = PS_LAUNCH_EAGER;
    else
        return false;
    return true;
}

const char *ps_cost_source_name(ps_cost_source source)
{
    static const char *const names[] = {"trace", "table", "model"};
    return source >= 0 && source < PS_COST_SOURCE_COUNT ? names[source] : "?";
}

const char *ps_cost_bound_name(ps_cost_bound bound) { return bound == PS_BOUND_MEMORY ? "memory" : "compute"; }

bool ps_cost_kind_supported(ps_op_kind kind)
{
    ps_cost_query q = {.kind = kind};
    int f, c;
    return cost_family_find(&q, &f, &c);
}

bool ps_cost_kind_parse(const char *name, ps_op_kind *out)
{
    for (int k = 0; name && k < PS_OP_KIND_COUNT; k++)
        if (!strcmp(ps_op_kind_name((ps_op_kind)k), name) && ps_cost_kind_supported((ps_op_kind)k)) {
            *out = (ps_op_kind)k;
            return true;
        }
    return false;
}

bool cost_family_find(const ps_cost_query *q, int *family, int *cls)
{
    for (int f = 0; f < COST_FAMILY_COUNT; f++) {
        int c = cost_families[f]->class_of(q);
        if (c >= 0) {
            *family = f;
            *cls = c;
            return true;
        }
    }
    return false;
}

int ps_cost_query_validate(const ps_cost_query *q, ps_error *err)
{
    int f, c;
    if (!cost_family_find(q, &f, &c))
        return ps_error_set(err, PS_EINPUT, "op kind %s is not a compute op (expected gemm, attention, rmsnorm, "
                            "rope, silu_mul, residual, embedding, sampling)", ps_op_kind_name(q->kind));
    return cost_families[f]->validate(q, err);
}

/* ---- shared helpers -------------------------------------------------------------------------- */

double cost_dtype_bytes(ps_dtype dtype) { return (double)ps_dtype_bytes(dtype); }

double cost_peak_flops(const ps_gpu_spec *gpu, ps_dtype dtype)
{
    return dtype == PS_DTYPE_FP8 ? gpu->peak_flops_fp8 : gpu->peak_flops_bf16;
}

double cost_smooth_max(double a, double b, double p)
{
    double m = a > b ? a : b;
    if (m <= 0)
        return 0;
    return m * pow(pow(a / m, p) + pow(b / m, p), 1.0 / p);
}

double cost_waves(double work_units, double slots, double quant)
{
    double w = work_units / slots;
    return w + quant * (ceil(w) - w);
}

void cost_dims_tokens_width(const ps_cost_query *q, double d[COST_DIMS])
{
    d[0] = (double)q->tokens;
    d[1] = (double)q->width;
    d[2] = 0;
}

int cost_validate_tokens_width(const ps_cost_query *q, ps_error *err)
{
    if (q->tokens < 1 || q->width < 1)
        return ps_error_set(err, PS_EINPUT, "%s needs tokens, width >= 1 (got %lld, %lld)", ps_op_kind_name(q->kind),
                            (long long)q->tokens, (long long)q->width);
    return PS_OK;
}

double cost_streaming_us(const double *v, const ps_gpu_spec *gpu, double bytes)
{
    double util = bytes / (bytes + v[COST_STREAM_P_BYTES_HALF]);
    return v[COST_STREAM_P_FIXED] + bytes / (gpu->hbm_bandwidth_bytes_per_s * v[COST_STREAM_P_MEM_EFF] * util) * 1e6;
}

void cost_eval_shape(const cost_family *f, const double *v, const ps_gpu_spec *gpu, const cost_shape *s,
                     cost_eval *out)
{
    f->graph_time(v, gpu, s, out);
    if (s->q.launch == PS_LAUNCH_EAGER) {
        double t = out->time_us + v[COST_P_EAGER_GAP_US];
        out->time_us = t > v[COST_P_EAGER_FLOOR_US] ? t : v[COST_P_EAGER_FLOOR_US];
    }
}

/* ---- model creation -------------------------------------------------------------------------- */

/* <gpu>.cost through the data lookup (parsim/data.h: $PARSIM_DATA_DIR/cost/, the source tree's
 * data/cost/, the install prefix's share/parsim/cost/). */
static bool find_coeff_file(const char *gpu, char *path, size_t size)
{
    ps_error ignore = {0};
    return ps_data_find(PS_DATA_COST_MODEL, gpu, path, size, &ignore) == PS_OK && access(path, R_OK) == 0;
}

/* The GPU whose coefficients stand in for one without its own file: the same architecture's
 * measured part first (Hopper: h200-sxm has first-hand data; Ampere: scaled from h100-sxm, the
 * closest measured part, as the cross-GPU test does), Blackwell from h200-sxm. */
static const char *const *stand_ins(const ps_gpu_spec *gpu)
{
    static const char *const hopper[] = {"h200-sxm", "h100-sxm", NULL};
    static const char *const other[] = {"h100-sxm", "h200-sxm", NULL};
    static const char *const blackwell[] = {"h200-sxm", "h100-sxm", NULL};
    if (!strcmp(gpu->architecture, "blackwell"))
        return blackwell;
    return !strcmp(gpu->architecture, "hopper") ? hopper : other;
}

int ps_cost_model_create(const ps_gpu_spec *gpu, const char *coeff_path, ps_cost_model **out, ps_error *err)
{
    *out = NULL;
    if (!gpu)
        return ps_error_set(err, PS_EINPUT, "cost model: no GPU given");
    ps_cost_model *m = calloc(1, sizeof *m);
    if (!m)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    m->gpu = gpu;
    if (coeff_path) {
        snprintf(m->coeff_path, sizeof m->coeff_path, "%s", coeff_path);
    } else {
        bool found = find_coeff_file(gpu->name, m->coeff_path, sizeof m->coeff_path);
        for (const char *const *s = stand_ins(gpu); !found && *s; s++)
            found = find_coeff_file(*s, m->coeff_path, sizeof m->coeff_path);
        if (!found) {
            free(m);
            char dirs[3][PS_DATA_PATH_BYTES];
            for (int i = 0; i < 3; i++)
                if (!ps_data_dir(PS_DATA_COST_MODEL, i, dirs[i], sizeof dirs[i]) || !dirs[i][0])
                    snprintf(dirs[i], sizeof dirs[i], "-");
            return ps_error_set(err, PS_EINPUT, "no cost coefficients for %s nor a stand-in (looked for %s.cost "
                                "in %.200s, %.200s, %.200s)", gpu->name, gpu->name, dirs[0], dirs[1], dirs[2]);
        }
    }
    int rc = cost_coeffs_read(m->coeff_path, &m->coeffs, err);
    if (rc) {
        free(m);
        return rc;
    }
    m->coeff_gpu = ps_gpu_find(m->coeffs.gpu);
    *out = m;
    return PS_OK;
}

void ps_cost_model_free(ps_cost_model *m)
{
    if (!m)
        return;
    cost_traces_free(m);
    free(m);
}

const ps_gpu_spec *ps_cost_model_gpu(const ps_cost_model *m) { return m->gpu; }
const char *ps_cost_model_coeff_path(const ps_cost_model *m) { return m->coeff_path; }

/* ---- estimate -------------------------------------------------------------------------------- */

static bool in_envelope(const cost_class_coeffs *cc, const cost_family *f, const ps_cost_query *q,
                        const ps_gpu_spec *gpu)
{
    if (!cc->present || !cc->has_envelope || strcmp(cc->gpu, gpu->name))
        return false;
    double d[COST_DIMS];
    f->dims(q, d);
    for (int i = 0; i < COST_DIMS; i++)
        if (f->dim_names[i][0] != '-' && (d[i] < cc->lo[i] || d[i] > cc->hi[i]))
            return false;
    return true;
}

static void model_answer(const ps_cost_model *m, int f, int c, const ps_cost_query *q, ps_cost_answer *a)
{
    const cost_family *fam = cost_families[f];
    const cost_class_coeffs *cc = &m->coeffs.cls[f][c];
    cost_shape s = {.q = *q, .batch = 1, .kv_aliased = false};
    cost_eval e;
    cost_eval_shape(fam, cc->v, m->gpu, &s, &e);
    a->time_us = e.time_us;
    a->source = PS_COST_MODEL;
    a->flops = e.flops;
    a->bytes = e.bytes;
    a->bound = e.bound;
    const char *from = cc->present ? cc->gpu : m->coeffs.gpu;
    if (strcmp(from, m->gpu->name))
        snprintf(a->scaled_from, sizeof a->scaled_from, "%s", from);
    bool scaled = a->scaled_from[0] != '\0';
    a->error_pct = scaled && cc->error_scaled_pct >= 0 ? cc->error_scaled_pct : cc->error_model_pct;
    a->in_envelope = in_envelope(cc, fam, q, m->gpu);
    if (!cc->present) { /* greedy sampling: no measured argmax kernel on a catalogue GPU (docs/cost.md) */
        size_t len = strlen(a->fallback);
        snprintf(a->fallback + len, sizeof a->fallback - len, "%sno measured %s%s kernels: unfitted defaults, error unknown",
                 len ? "; " : "", q->kind == PS_OP_SAMPLING ? "greedy " : "", ps_op_kind_name(q->kind));
    }
}

int ps_cost_estimate(const ps_cost_model *m, const ps_cost_query *q, ps_cost_answer *a, ps_error *err)
{
    memset(a, 0, sizeof *a);
    int rc = ps_cost_query_validate(q, err);
    if (rc)
        return rc;
    if ((q->kind == PS_OP_GEMM || q->kind == PS_OP_ATTENTION) && cost_peak_flops(m->gpu, q->dtype) <= 0)
        return ps_error_set(err, PS_EINPUT, "%s has no %s tensor cores: cannot price a %s %s", m->gpu->name,
                            ps_dtype_name(q->dtype), ps_dtype_name(q->dtype), ps_op_kind_name(q->kind));
    int f = 0, c = 0;
    cost_family_find(q, &f, &c);
    if (cost_trace_answer(m, f, c, q, a))
        return PS_OK;
    model_answer(m, f, c, q, a);
    return PS_OK;
}

/* ---- query of an op -------------------------------------------------------------------------- */

/* The op graph's fields are the query's (ps_op carries phase, heads, kv heads, head dim, prefix
 * and widths: core/workload/graph.c). Nothing is guessed from FLOP or byte counts: an op that
 * lacks a field the family needs fails ps_cost_query_validate, which names the field. */
void ps_cost_query_from_op(const ps_op *op, ps_launch_mode launch, ps_cost_query *q)
{
    memset(q, 0, sizeof *q);
    q->kind = op->kind;
    q->dtype = op->dtype;
    q->launch = launch;
    snprintf(q->op_id, sizeof q->op_id, "%s", op->id);
    q->tokens = op->tokens;
    q->m = op->m;
    q->n = op->n;
    q->k = op->k;
    q->phase = op->phase;
    if (op->kind == PS_OP_ATTENTION) {
        q->seqs = op->seqs;
        q->context = op->context;
        q->heads = op->heads;
        q->kv_heads = op->kv_heads;
        q->head_dim = op->head_dim;
        q->prefix = op->prefix;
    } else if (op->kind != PS_OP_GEMM) {
        q->width = op->width;
    }
}
