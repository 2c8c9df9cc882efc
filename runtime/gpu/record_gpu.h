/* runtime/gpu/record_gpu.h: the GPU side of parsim-record (CUDA runtime, cuBLASLt, NCCL, CUPTI).
 *
 *   run.c       device checks, one thread per GPU, warm-up, the recording window, the trace;
 *   executor.c  per rank: buffers, seeded weights, KV cache, the launch loop, CUDA-graph capture;
 *   gemm.c      cuBLASLt matmuls (bf16; fp8 e4m3 with per-tensor scales);
 *   comm.c      NCCL communicators (TP groups, PP pairs) and the wrapped calls;
 *   cupti.c     CUPTI activity recording into the collector (runtime/host/record_rows.h).
 * Nothing here is reachable without a GPU: ps_rec_run refuses first with "no CUDA device".
 */
#ifndef PARSIM_RUNTIME_RECORD_GPU_H
#define PARSIM_RUNTIME_RECORD_GPU_H

#include <stdint.h>

#include <cuda_runtime_api.h>

#include "record.h"
#include "record_rows.h"

/* Runs the plan and writes the trace (o->out_dir). PS_EINPUT for a machine that cannot run it. */
int ps_rec_run(const ps_rec_options *o, const ps_rec_plan *plan, ps_error *err);

/* ---- CUPTI (cupti.c) ---- */
int ps_rec_cupti_start(ps_rec_collector *c, ps_error *err);
/* Sets the ext id current on this thread: launches until the next call are tagged with it
 * (eager: external correlation; capture: graph nodes created). 0 = none. */
void ps_rec_cupti_begin_launch(uint64_t ext);
void ps_rec_cupti_end_launch(void);
int ps_rec_cupti_stream_id(cudaStream_t stream, int64_t *id);
uint64_t ps_rec_cupti_now_ns(void);
/* Flushes every buffer (after the GPUs are synchronised) and stops recording. */
int ps_rec_cupti_stop(ps_error *err);
void ps_rec_cupti_versions(char *cupti, size_t size);

/* ---- cuBLASLt (gemm.c) ---- */
typedef struct ps_rec_gemm ps_rec_gemm;
int ps_rec_gemm_create(ps_rec_gemm **out, cudaStream_t stream, ps_error *err);
void ps_rec_gemm_destroy(ps_rec_gemm *g);
/* y[rows][n] = x[rows][k] (rows x_stride apart) . w[n][k]^T; fp8: x, w e4m3 with scales (device
 * floats), y bf16. */
int ps_rec_gemm_run(ps_rec_gemm *g, const void *x, int64_t x_stride, const void *w, void *y, int64_t rows,
                    int64_t n, int64_t k, bool fp8, const float *x_scale, const float *w_scale, cudaStream_t stream,
                    ps_error *err);

/* ---- NCCL (comm.c) ---- */
typedef struct ps_rec_comms ps_rec_comms;
int ps_rec_comms_create(ps_rec_comms **out, const ps_rec_plan *plan, ps_error *err);
void ps_rec_comms_destroy(ps_rec_comms *c);
/* Runs one NCCL launch of rank slot `slot` on `stream` (buf in place for all-reduce). */
int ps_rec_comm_run(ps_rec_comms *c, int slot, const ps_rec_launch *l, const void *send, void *recv,
                    cudaStream_t stream, ps_error *err);
void ps_rec_nccl_version(char *out, size_t size);

/* ---- executor (executor.c) ---- */
typedef struct ps_rec_rank_state ps_rec_rank_state;
int ps_rec_rank_setup(ps_rec_rank_state **out, const ps_rec_options *o, const ps_rec_plan *plan, int slot,
                      ps_rec_comms *comms, ps_error *err);
/* One step: eager launches, or the replay of the captured graph (captured on first use). */
int ps_rec_rank_step(ps_rec_rank_state *s, ps_error *err);
int ps_rec_rank_sync(ps_rec_rank_state *s, ps_error *err);
void ps_rec_rank_stream_ids(ps_rec_rank_state *s, int64_t ids[3]);
/* Copies the sampled token ids of microbatch mb to the host (tests). */
int ps_rec_rank_read_ids(ps_rec_rank_state *s, int mb, int32_t *ids, int64_t n, ps_error *err);
/* Copies an activation buffer to the host (tests). */
int ps_rec_rank_read_buffer(ps_rec_rank_state *s, ps_rec_buffer b, int mb, void *out, size_t bytes, ps_error *err);
void ps_rec_rank_teardown(ps_rec_rank_state *s);

/* One line for a failed CUDA call. */
int ps_rec_cuda_fail(ps_error *err, int code, const char *what);

#endif
