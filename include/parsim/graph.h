/* parsim/graph.h: the op graph of one step (a prefill step or one decode step), per rank.
 *
 * The op graph is the single description of the work: the CUDA runtime executes it, the
 * simulator replays it, traces name its ops (DESIGN.md sections 1 and 3). For every rank it lists
 * the ops in issue order; each op says which stream it runs on, its shapes, FLOPs, bytes, and for
 * communication its group, peer and bytes.
 *
 * Op ids (docs/workload.md has the full grammar):
 *     <phase>/mb<m>/<scope>/<name>
 *     phase = prefill | decode;  m = microbatch index within the step (0-based, no padding)
 *     scope = L<layer>  global layer index, 3 digits at least (L000..L125)
 *           | embed     the embedding (first stage)
 *           | head      final norm, LM head, logits gather, sampling (last stage)
 *           | S<stage>  pipeline hand-off: pp_send on stage s goes to stage s+1, pp_recv on
 *                       stage s comes from stage s-1
 *   e.g. decode/mb0/L017/qkv_gemm, prefill/mb1/embed/embedding, decode/mb3/S2/pp_send.
 * The same logical op has the same id on every rank of its TP group (collectives match by id) and
 * on every replica; an id is unique within a rank.
 *
 * Streams: compute (0) runs every kernel and the TP collectives (they sit on the critical path,
 * as NCCL calls on the current stream do in vLLM); pp_recv (1) and pp_send (2) carry the pipeline
 * hand-offs so that a stage can receive microbatch m+1 and send m while it computes.
 * An op starts after the previous op of its stream (stream order) and after every op in deps
 * (indices into the same rank's list, always smaller than the op's own index). Cross-rank
 * dependencies are the matching of collectives (same id, same group) and of pp_send/pp_recv
 * (peer ranks, same microbatch).
 *
 * Invariants (tested): summed over all ranks of a replica, the layer GEMM FLOPs are
 * 2 x layer linear params x tokens (tp <= kv_heads; replicated KV heads add their copies); the
 * LM head adds 2 x vocab x hidden per sampled token; every TP all-reduce moves tokens x hidden x
 * activation bytes; every PP hand-off moves tokens x hidden x activation bytes.
 */
#ifndef PARSIM_GRAPH_H
#define PARSIM_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/model.h"
#include "parsim/plan.h"
#include "parsim/trace.h"

#define PS_OP_ID_BYTES 48
#define PS_OP_MAX_DEPS 2

typedef enum ps_op_kind {
    PS_OP_EMBEDDING = 0,
    PS_OP_RMSNORM,
    PS_OP_GEMM,
    PS_OP_ROPE,
    PS_OP_ATTENTION,
    PS_OP_SILU_MUL,
    PS_OP_RESIDUAL,
    PS_OP_SAMPLING,
    PS_OP_ALLREDUCE,
    PS_OP_ALLGATHER,
    PS_OP_SEND,
    PS_OP_RECV,
    PS_OP_KIND_COUNT
} ps_op_kind;
const char *ps_op_kind_name(ps_op_kind kind); /* "embedding", "rmsnorm", "gemm", ... */
bool ps_op_kind_is_comm(ps_op_kind kind);     /* allreduce, allgather, send, recv */
/* The one place where op kinds and trace collectives (parsim/trace.h) meet: allreduce, allgather,
 * send and recv map both ways; false for compute kinds and for collectives the graph has no op
 * for (reducescatter, broadcast, reduce, alltoall). The collective model's names (coll.h) convert
 * from both in ps_coll_op_from_op_kind / ps_coll_op_from_trace_collective. */
bool ps_op_kind_to_trace_collective(ps_op_kind kind, ps_trace_collective *out);
bool ps_op_kind_from_trace_collective(ps_trace_collective coll, ps_op_kind *out);

typedef enum ps_stream { PS_STREAM_COMPUTE = 0, PS_STREAM_PP_RECV = 1, PS_STREAM_PP_SEND = 2 } ps_stream;
#define PS_STREAM_COUNT 3
const char *ps_stream_name(ps_stream stream); /* "compute", "pp_recv", "pp_send" */

/* What a GEMM computes: the cost model keys its efficiency on it (shapes of one role repeat in
 * every layer). PS_GEMM_NONE for every other kind. */
typedef enum ps_gemm_role {
    PS_GEMM_NONE = 0,
    PS_GEMM_QKV,      /* fused Q, K, V projection */
    PS_GEMM_O,        /* attention output projection */
    PS_GEMM_GATE_UP,  /* fused gate and up projections */
    PS_GEMM_DOWN,     /* down projection */
    PS_GEMM_LM_HEAD,  /* logits over this rank's vocab shard */
    PS_GEMM_ROLE_COUNT
} ps_gemm_role;
const char *ps_gemm_role_name(ps_gemm_role role); /* "", "qkv", "o", "gate_up", "down", "lm_head" */

typedef struct ps_op {
    char id[PS_OP_ID_BYTES];
    ps_op_kind kind;
    ps_stream stream;
    ps_phase phase;          /* of the step (also the id's first component) */
    ps_dtype dtype;          /* compute dtype (GEMM inputs), or the dtype of the data moved */
    int microbatch;
    int layer;               /* global layer index, -1 outside layers */
    int64_t tokens;          /* tokens this op processes */
    int64_t m, n, k;         /* GEMM: [m x k] x [k x n] -> [m x n]; 0 for other kinds */
    ps_gemm_role gemm_role;  /* GEMM: which projection; PS_GEMM_NONE otherwise */
    int64_t seqs, context;   /* attention: sequences and keys attended per query (max) */
    int64_t heads, kv_heads, head_dim; /* attention: query heads, KV heads on this GPU, head dim */
    int64_t prefix;          /* attention: tokens already cached before a prefill chunk (0 today) */
    int64_t width;           /* element-wise ops (embedding, rmsnorm, rope, silu_mul, residual,
                                sampling): the row width per token as parsim/cost.h keys on it
                                (hidden; (heads + kv_heads) x head_dim for rope; FFN/tp for
                                silu_mul, which reads gate|up = 2 x width; the padded vocab for
                                sampling); 0 for other kinds */
    double flops;
    double bytes_read, bytes_written; /* HBM traffic of the kernel */
    double comm_bytes;       /* collective: buffer size as nccl-tests counts it; send/recv: payload */
    int group;               /* index into ps_graph.groups for collectives, -1 otherwise */
    int peer;                /* send: destination rank; recv: source rank; -1 otherwise */
    int ndeps;
    int deps[PS_OP_MAX_DEPS];
} ps_op;

typedef struct ps_rank_ops {
    int rank, replica, stage, tp_rank;
    ps_op *ops;
    size_t count, cap;
    size_t *by_id;           /* op indices sorted by id (for ps_graph_find_op) */
} ps_rank_ops;

/* A TP group: tp consecutive ranks of one stage of one replica; id = replica * pp + stage. */
typedef struct ps_comm_group {
    int size;
    int first_rank;          /* ranks first_rank .. first_rank + size - 1 */
} ps_comm_group;

typedef struct ps_graph {
    ps_step step;
    int nranks;
    ps_rank_ops *ranks;      /* index = rank */
    int ngroups;
    ps_comm_group *groups;
} ps_graph;

/* Builds the graph of `step` for every rank of the plan. On failure the graph is left empty. */
int ps_graph_build(const ps_model *model, const ps_precision *prec, const ps_plan *plan, const ps_step *step,
                   ps_graph *graph, ps_error *err);
void ps_graph_free(ps_graph *graph);

/* The op with this id on this rank, or NULL (bad rank or unknown id). O(log ops). */
const ps_op *ps_graph_find_op(const ps_graph *graph, int rank, const char *op_id);

/* Sums over the graph. Collectives and hand-offs are counted once per operation (not per
 * participating rank): allreduce_bytes is the sum of the buffer sizes of every all-reduce. */
typedef struct ps_graph_totals {
    int64_t ops;
    double flops, gemm_flops, attention_flops, lm_head_flops;
    double bytes_read, bytes_written;
    int64_t allreduce_count, allgather_count, p2p_count;
    double allreduce_bytes, allgather_bytes, p2p_bytes;
    double max_rank_flops;      /* the busiest rank */
    double max_rank_comm_bytes; /* the rank that passes the most bytes to NCCL */
} ps_graph_totals;
void ps_graph_totals_compute(const ps_graph *graph, ps_graph_totals *totals);

/* Writes the ops of several graphs (e.g. the prefill step and a decode step) as one CSV, one row
 * per op, atomically. Columns are documented in docs/workload.md. */
int ps_graph_write_csv(const ps_graph *const *graphs, int ngraphs, const char *path, ps_error *err);

#endif
