/* runtime/host/record.h: the CPU side of parsim-record, plain C (libc + core's libc-only part),
 * so that everything here is tested in CI without a GPU (tests/runtime/).
 *
 *   options   (record_args.c)  the command line: one option table (parsim/options.h) with the
 *                              workload options of core's one parser (parsim/workload.h) and
 *                              the recorder's own;
 *   plan      (record_plan.c)  the launch plan: core's op graph (ps_graph_build) walked for the
 *                              ranks this run executes, each op turned into the launches that
 *                              realise it (kernel, cuBLASLt GEMM, NCCL call), with buffers, shapes,
 *                              cross-stream waits and the memory every GPU needs;
 *   dry run   (record_dryrun.c) prints the plan;
 *   rows      (record_rows.c)  turns collected CUPTI records and the NCCL call log into trace rows
 *                              and writes the trace through core's writer (atomically).
 *
 * A run executes either every rank of a plan on the local GPUs (one thread per GPU; dp 1), or
 * one rank of a larger plan on one GPU (--emulate-rank R: "shard emulation", communication is
 * sized and recorded without times, never executed), optionally only the first K layers of the
 * rank's stage (--layers K).
 */
#ifndef PARSIM_RUNTIME_RECORD_H
#define PARSIM_RUNTIME_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/graph.h"
#include "parsim/trace.h"
#include "parsim/workload.h"

#define PS_REC_VERSION "parsim-record 0.1"
#define PS_REC_DEFAULT_WARMUP 3
#define PS_REC_DEFAULT_ITERS 5
#define PS_REC_MAX_ITERS 100000
/* cuBLASLt workspace per GPU: 32 MiB, what NVIDIA recommends for Hopper (cuBLAS docs,
 * "cublasLtMatmul ... workspace" - 32 MiB for sm_90) and what PyTorch allocates there. */
#define PS_REC_GEMM_WORKSPACE_BYTES (32u << 20)
/* Static per-tensor fp8 scales: activations are RMSNorm outputs of unit scale (|x| < 8 with
 * margin, e4m3 max 448), weights are generated as u x 240 (kernels/init_weights_ref.c) and
 * scaled back to u / sqrt(k). */
#define PS_REC_FP8_ACT_SCALE (8.0f / 448.0f)

typedef enum ps_rec_launch_mode { PS_REC_EAGER = 0, PS_REC_GRAPH = 1 } ps_rec_launch_mode;
const char *ps_rec_launch_mode_name(ps_rec_launch_mode mode); /* "eager", "graph" */

typedef struct ps_rec_options {
    ps_workload workload;
    ps_phase phase;
    int warmup, iters;
    ps_rec_launch_mode launch;
    int emulate_rank;      /* -1: run every rank of the plan */
    int layers;            /* 0: every layer of each stage */
    uint64_t seed;
    const char *out_dir;
    bool overwrite, dry_run, help;
    const char *fabric;    /* free text for meta.platform */
    int device;            /* first CUDA device used */
} ps_rec_options;

/* Parses argv (argv[0] is the program) with the option table of record_args.c (parsim/options.h).
 * PS_EINPUT with one line naming the flag. --help prints the help on stdout, sets o->help and
 * returns PS_OK without checking the rest. ps_rec_usage prints the same help. */
int ps_rec_parse_args(int argc, char **argv, ps_rec_options *o, ps_error *err);
void ps_rec_usage(FILE *out);

/* ---- launch plan ---- */

typedef enum ps_rec_launch_kind {
    PS_RL_EMBEDDING, PS_RL_RMSNORM, PS_RL_QUANT_FP8, PS_RL_GEMM, PS_RL_ROPE, PS_RL_KV_WRITE,
    PS_RL_ATTN_PREFILL, PS_RL_ATTN_DECODE, PS_RL_SILU_MUL, PS_RL_RESIDUAL, PS_RL_ARGMAX,
    PS_RL_ALLREDUCE, PS_RL_ALLGATHER, PS_RL_SEND, PS_RL_RECV, PS_RL_KIND_COUNT
} ps_rec_launch_kind;
const char *ps_rec_launch_kind_name(ps_rec_launch_kind kind);
bool ps_rec_launch_is_comm(ps_rec_launch_kind kind);

typedef enum ps_rec_weight {
    PS_W_NONE = -1, PS_W_EMBED, PS_W_ATTN_NORM, PS_W_QKV, PS_W_O, PS_W_MLP_NORM, PS_W_GATE_UP, PS_W_DOWN,
    PS_W_FINAL_NORM, PS_W_LM_HEAD, PS_W_COUNT
} ps_rec_weight;

/* Activation buffers; X and IDS exist once per microbatch, the others are shared scratch. */
typedef enum ps_rec_buffer {
    PS_B_NONE = -1, PS_B_X, PS_B_IDS, PS_B_XN, PS_B_QKV, PS_B_ATTN, PS_B_PROJ, PS_B_GATE_UP, PS_B_ACT,
    PS_B_XQ, PS_B_LOGITS, PS_B_LOGITS_ALL, PS_B_COUNT
} ps_rec_buffer;
const char *ps_rec_buffer_name(ps_rec_buffer b);

typedef struct ps_rec_launch {
    ps_rec_launch_kind kind;
    int op;                 /* index in the rank's op list (ps_rank_ops.ops) */
    int mb;                 /* microbatch */
    int layer_slot;         /* local layer (weights, KV cache), -1 outside layers */
    ps_rec_weight weight;
    ps_rec_buffer in, out;
    ps_stream stream;
    int64_t rows;           /* tokens (or sequences for the LM head and sampling) */
    int64_t m, n, k;        /* GEMM: rows x k times k x n */
    int64_t in_stride;      /* GEMM input row stride (elements): k, or the LM head's strided rows */
    int64_t in_offset;      /* GEMM input offset (elements) */
    bool fp8;               /* GEMM in e4m3 (input from PS_B_XQ) */
    int64_t count;          /* NCCL elements (bf16) */
    int peer;               /* send / recv peer rank */
    char group[24];         /* communicator: "tp0", "pp0-1" */
    int group_size;
    bool executed;          /* false: a comm under shard emulation (sized, not run) */
    int wait_for;           /* launch index (same rank) on another stream to wait for, -1 */
    bool signal;            /* another stream waits for this launch: record an event after it */
} ps_rec_launch;

typedef struct ps_rec_rank_plan {
    int rank, stage, tp_rank, replica;
    int device;                   /* CUDA device that runs it */
    const ps_rank_ops *ops;
    ps_rec_launch *launches;
    size_t nlaunches;
    int layer_first, layer_count; /* the layers run (global first index, count) */
    int64_t mb_tokens[PS_PLAN_MAX_MICROBATCHES], mb_seqs[PS_PLAN_MAX_MICROBATCHES],
        mb_seq_first[PS_PLAN_MAX_MICROBATCHES];
    int64_t max_tokens, max_seqs, seqs;
    bool has_embed, has_head;
    double weight_bytes, kv_bytes, activation_bytes, workspace_bytes;
} ps_rec_rank_plan;

typedef struct ps_rec_plan {
    ps_step step;
    ps_graph graph;
    int nranks;                 /* ranks this run executes */
    ps_rec_rank_plan *ranks;
    /* per-rank model dimensions (the same on every rank of the plan) */
    int tp;
    int64_t hidden, heads, kv_heads, head_dim, inter, vocab, vocab_per_rank, qkv_n;
    int64_t max_context;        /* KV cache positions per sequence */
    ps_dtype weights, kv;
    bool emulated;
} ps_rec_plan;

int ps_rec_plan_build(const ps_rec_options *o, ps_rec_plan *plan, ps_error *err);
void ps_rec_plan_free(ps_rec_plan *plan);
/* Elements of a weight tensor and of an activation buffer (per microbatch for X and IDS). */
int64_t ps_rec_weight_elems(const ps_rec_plan *p, ps_rec_weight w);
int64_t ps_rec_buffer_bytes(const ps_rec_plan *p, const ps_rec_rank_plan *r, ps_rec_buffer b);
/* KV cache bytes of one layer for one of k or v. */
int64_t ps_rec_kv_layer_bytes(const ps_rec_plan *p, const ps_rec_rank_plan *r);
double ps_rec_rank_total_bytes(const ps_rec_rank_plan *r);

/* Prints what a run would do: header, per-rank memory, every launch with its shapes. */
void ps_rec_dry_run(const ps_rec_options *o, const ps_rec_plan *plan, FILE *out);
/* The metadata of the trace (everything known before the run; the GPU fills the rest). */
int ps_rec_trace_meta(const ps_rec_options *o, const ps_rec_plan *plan, ps_trace_meta *meta, ps_error *err);

#endif
