/* A recording: device checks, CUPTI, communicators, one thread per GPU, warm-up, the window,
 * the trace.
 *
 * Order (recording.md sections 1.6, 1.7, 1.10): the device count first (so that a machine
 * without a GPU is refused with "no CUDA device" before anything else), then CUPTI, before any
 * context exists, so that kernels are instrumented at module load and not during the run; weights
 * and KV cache are initialised and warm-up steps run (lazy module loading, cuBLASLt heuristics,
 * NCCL connections, graph instantiation all happen there); every GPU is synchronised, the
 * window starts (one CUPTI timestamp), the measured steps run, every GPU is synchronised again,
 * CUPTI is flushed, and records before the window are dropped as warm-up.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record_gpu.h"

typedef struct run_shared {
    const ps_rec_options *o;
    const ps_rec_plan *p;
    ps_rec_comms *comms;
    ps_rec_collector *collector;
    pthread_barrier_t barrier;
    uint64_t window_start_ns;
    int failed;           /* set by any thread: the others stop at the next barrier */
    pthread_mutex_t gate_lock;
    pthread_cond_t gate;  /* threads start once every thread exists (or creation failed) */
    int gate_state;       /* 0 wait, 1 go, 2 abandon */
} run_shared;

typedef struct run_thread {
    run_shared *sh;
    int slot;
    ps_rec_rank_state *state;
    ps_error err;
    int rc;
} run_thread;

/* Every thread reaches every barrier, failed or not, so that none waits forever. */
static bool sync_point(run_thread *t)
{
    if (t->rc)
        __atomic_store_n(&t->sh->failed, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&t->sh->barrier);
    return !__atomic_load_n(&t->sh->failed, __ATOMIC_SEQ_CST);
}

static void steps(run_thread *t, int n)
{
    for (int i = 0; i < n && !t->rc; i++)
        t->rc = ps_rec_rank_step(t->state, &t->err);
    if (!t->rc)
        t->rc = ps_rec_rank_sync(t->state, &t->err);
}

static void *rank_thread(void *arg)
{
    run_thread *t = arg;
    run_shared *sh = t->sh;
    pthread_mutex_lock(&sh->gate_lock);
    while (sh->gate_state == 0)
        pthread_cond_wait(&sh->gate, &sh->gate_lock);
    int state = sh->gate_state;
    pthread_mutex_unlock(&sh->gate_lock);
    if (state == 2)
        return NULL; /* another thread could not be created: nobody enters the barriers */
    t->rc = ps_rec_rank_setup(&t->state, sh->o, sh->p, t->slot, sh->comms, &t->err);
    if (!t->rc)
        ps_rec_rank_stream_ids(t->state, sh->collector->stream_ids[t->slot]);
    if (sync_point(t))
        steps(t, sh->o->warmup > 0 ? sh->o->warmup : 1); /* at least one: graph capture, first-launch costs */
    if (sync_point(t)) {
        if (t->slot == 0)
            sh->window_start_ns = ps_rec_cupti_now_ns();
    }
    if (sync_point(t))
        steps(t, sh->o->iters);
    sync_point(t);
    return NULL;
}

static int check_devices(const ps_rec_options *o, const ps_rec_plan *p, ps_error *err)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0)
        return ps_error_set(err, PS_EINPUT, "no CUDA device (%s); --dry-run shows the plan without one",
                            e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount found 0");
    if (o->device + p->nranks > count)
        return ps_error_set(err, PS_EINPUT, "the plan needs %d GPUs from device %d, this machine has %d; record one "
                            "rank at a time with --emulate-rank", p->nranks, o->device, count);
    if (p->nranks > 64)
        return ps_error_set(err, PS_EINPUT, "at most 64 GPUs in one process");
    return PS_OK;
}

static void fill_meta_from_gpu(const ps_rec_plan *p, ps_trace_meta *m)
{
    struct cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, p->ranks[0].device) == cudaSuccess)
        snprintf(m->gpu_name, sizeof m->gpu_name, "%s", prop.name);
    int v = 0, clock_khz = 0;
    if (cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, p->ranks[0].device) == cudaSuccess)
        m->sm_clock_mhz = clock_khz / 1000; /* the maximum SM clock; locked clocks are not read here */
    if (cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, p->ranks[0].device) == cudaSuccess)
        m->mem_clock_mhz = clock_khz / 1000;
    if (cudaDriverGetVersion(&v) == cudaSuccess)
        snprintf(m->driver_version, sizeof m->driver_version, "CUDA driver API %d.%d", v / 1000, v % 1000 / 10);
    if (cudaRuntimeGetVersion(&v) == cudaSuccess)
        snprintf(m->cuda_version, sizeof m->cuda_version, "%d.%d", v / 1000, v % 1000 / 10);
    ps_rec_nccl_version(m->nccl_version, sizeof m->nccl_version);
    ps_rec_cupti_versions(m->cupti_version, sizeof m->cupti_version);
    gethostname(m->host, sizeof m->host - 1);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int run_threads(run_shared *sh, ps_error *err)
{
    const ps_rec_plan *p = sh->p;
    run_thread *threads = calloc((size_t)p->nranks, sizeof *threads);
    pthread_t *ids = calloc((size_t)p->nranks, sizeof *ids);
    if (!threads || !ids) {
        free(threads);
        free(ids);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    pthread_barrier_init(&sh->barrier, NULL, (unsigned)p->nranks);
    int started = 0, rc = PS_OK;
    for (int i = 0; i < p->nranks; i++) {
        threads[i] = (run_thread){.sh = sh, .slot = i};
        sh->collector->device_rank[p->ranks[i].device] = i;
    }
    pthread_mutex_init(&sh->gate_lock, NULL);
    pthread_cond_init(&sh->gate, NULL);
    for (; started < p->nranks; started++)
        if (pthread_create(&ids[started], NULL, rank_thread, &threads[started]))
            break;
    pthread_mutex_lock(&sh->gate_lock);
    sh->gate_state = started == p->nranks ? 1 : 2;
    pthread_cond_broadcast(&sh->gate);
    pthread_mutex_unlock(&sh->gate_lock);
    for (int i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    if (started < p->nranks)
        rc = ps_error_set(err, PS_EINTERNAL, "cannot start thread %d of %d", started + 1, p->nranks);
    for (int i = 0; i < p->nranks; i++) {
        if (threads[i].rc && !rc) {
            *err = threads[i].err;
            rc = threads[i].rc;
        }
        ps_rec_rank_teardown(threads[i].state);
    }
    pthread_barrier_destroy(&sh->barrier);
    pthread_cond_destroy(&sh->gate);
    pthread_mutex_destroy(&sh->gate_lock);
    free(threads);
    free(ids);
    return rc;
}

int ps_rec_run(const ps_rec_options *o, const ps_rec_plan *p, ps_error *err)
{
    if (check_devices(o, p, err))
        return err->code;
    ps_trace_meta meta;
    if (ps_rec_trace_meta(o, p, &meta, err))
        return err->code;
    ps_rec_collector collector;
    ps_rec_collector_init(&collector);
    run_shared sh = {.o = o, .p = p, .collector = &collector};
    int rc = ps_rec_cupti_start(&collector, err);
    if (!rc && !p->emulated)
        rc = ps_rec_comms_create(&sh.comms, p, err);
    if (!rc)
        rc = run_threads(&sh, err);
    int stop = ps_rec_cupti_stop(rc ? &(ps_error){0} : err);
    rc = rc ? rc : stop;
    ps_rec_comms_destroy(sh.comms);
    if (!rc) {
        fill_meta_from_gpu(p, &meta);
        ps_rec_write_stats st;
        rc = ps_rec_write_trace(&collector, p, &meta, o->iters, sh.window_start_ns, o->out_dir, o->overwrite, &st,
                                err);
        if (!rc)
            fprintf(stderr, "parsim-record: wrote %s: %llu activities, %llu comms (%d measured steps; %llu warm-up "
                    "records dropped, %llu unattributed, %llu stream overlaps <= 1 us clamped)\n", o->out_dir,
                    (unsigned long long)st.activities, (unsigned long long)st.comms, o->iters,
                    (unsigned long long)st.warmup_dropped, (unsigned long long)st.unattributed,
                    (unsigned long long)st.overlaps_clamped);
    }
    ps_rec_collector_free(&collector);
    return rc;
}
