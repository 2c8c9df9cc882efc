/* CUPTI activity recording (../shared/notes/recording.md section 1).
 *
 * Kinds: CONCURRENT_KERNEL (never KERNEL: it serialises kernels), MEMCPY, MEMCPY2 (peer copies),
 * MEMSET, EXTERNAL_CORRELATION, and RUNTIME + DRIVER, because external-correlation records are
 * only emitted for API records (section 1.8; NCCL launches through the driver API). Buffers: 8 MiB
 * from a pool of malloc'ed buffers handed out by the request callback; records are copied into
 * the collector under a mutex by the completion callback, and the dropped-record count is read
 * there (nonzero fails the recording in ps_rec_write_trace). Graph kernels carry the graph
 * launch's correlation id, so a resource-callback subscriber maps every graph node created while
 * a launch is current (capture) and every clone of it (instantiation) to that launch's ext id.
 */
#include <cupti.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "record_gpu.h"

#define BUFFER_BYTES (8u << 20)

static const CUpti_ActivityKind kinds[] = {
    CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,  CUPTI_ACTIVITY_KIND_MEMCPY2,
    CUPTI_ACTIVITY_KIND_MEMSET,            CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_DRIVER,
    CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION};
static ps_rec_collector *collector;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ps_error async_error;            /* first failure inside a callback */
static _Thread_local uint64_t current_ext;
static CUpti_SubscriberHandle subscriber;

static void note_failure(int rc, const ps_error *err)
{
    if (rc && !async_error.code)
        async_error = *err;
}

static void CUPTIAPI buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records)
{
    *buffer = aligned_alloc(ACTIVITY_RECORD_ALIGNMENT, BUFFER_BYTES);
    *size = *buffer ? BUFFER_BYTES : 0;
    *max_records = 0;
}

static void CUPTIAPI buffer_completed(CUcontext ctx, uint32_t stream_id, uint8_t *buffer, size_t size, size_t valid)
{
    (void)ctx;
    (void)stream_id;
    (void)size;
    CUpti_Activity *record = NULL;
    pthread_mutex_lock(&lock);
    if (!collector) { /* after ps_rec_cupti_stop (CUPTI may flush again at exit) */
        pthread_mutex_unlock(&lock);
        free(buffer);
        return;
    }
    while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
        ps_error err = {0};
        note_failure(ps_rec_collect_cupti(collector, record, &err), &err);
    }
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords(NULL, 0, &dropped) == CUPTI_SUCCESS)
        collector->dropped += dropped;
    pthread_mutex_unlock(&lock);
    free(buffer);
}

static void CUPTIAPI resource_callback(void *userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
                                       const void *data)
{
    (void)userdata;
    if (domain != CUPTI_CB_DOMAIN_RESOURCE)
        return;
    const CUpti_ResourceData *rd = data;
    const CUpti_GraphData *g = rd->resourceDescriptor;
    uint64_t node = 0, original = 0;
    ps_error err = {0};
    if (cbid == CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED && current_ext && cuptiGetGraphNodeId(g->node, &node) == 0) {
        pthread_mutex_lock(&lock);
        note_failure(ps_rec_collect_graph_node(collector, node, current_ext, &err), &err);
        pthread_mutex_unlock(&lock);
    } else if (cbid == CUPTI_CBID_RESOURCE_GRAPHNODE_CLONED && cuptiGetGraphNodeId(g->node, &node) == 0 &&
               cuptiGetGraphNodeId(g->originalNode, &original) == 0) {
        pthread_mutex_lock(&lock);
        note_failure(ps_rec_collect_graph_clone(collector, node, original, &err), &err);
        pthread_mutex_unlock(&lock);
    }
}

static int cupti_fail(ps_error *err, CUptiResult r, const char *what)
{
    const char *msg = NULL;
    cuptiGetResultString(r, &msg);
    return ps_error_set(err, PS_EINPUT, "CUPTI %s: %s%s", what, msg ? msg : "error",
                        r == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED
                            ? " (another profiler - Nsight Systems, Nsight Compute - is attached)"
                            : "");
}

int ps_rec_cupti_start(ps_rec_collector *c, ps_error *err)
{
    collector = c;
    memset(&async_error, 0, sizeof async_error);
    CUptiResult r = cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed);
    if (r != CUPTI_SUCCESS)
        return cupti_fail(err, r, "cuptiActivityRegisterCallbacks");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if ((r = cuptiActivityEnable(kinds[i])) != CUPTI_SUCCESS)
            return cupti_fail(err, r, "cuptiActivityEnable");
    if ((r = cuptiSubscribe(&subscriber, (CUpti_CallbackFunc)resource_callback, NULL)) != CUPTI_SUCCESS)
        return cupti_fail(err, r, "cuptiSubscribe");
    if ((r = cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CREATED)) ||
        (r = cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_GRAPHNODE_CLONED)))
        return cupti_fail(err, r, "cuptiEnableCallback");
    return PS_OK;
}

void ps_rec_cupti_begin_launch(uint64_t ext)
{
    current_ext = ext;
    cuptiActivityPushExternalCorrelationId(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, ext);
}

void ps_rec_cupti_end_launch(void)
{
    uint64_t last = 0;
    cuptiActivityPopExternalCorrelationId(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, &last);
    current_ext = 0;
}

int ps_rec_cupti_stream_id(cudaStream_t stream, int64_t *id)
{
    uint32_t sid = 0;
    /* context NULL: not checked against one (the driver API's cuCtxGetCurrent would make the
     * binary need libcuda.so.1 to start, and a machine without a driver must get "no CUDA device") */
    if (cuptiGetStreamIdEx(NULL, (CUstream)stream, 0, &sid) != CUPTI_SUCCESS)
        return PS_EINTERNAL;
    *id = sid;
    return PS_OK;
}

uint64_t ps_rec_cupti_now_ns(void)
{
    uint64_t t = 0;
    cuptiGetTimestamp(&t);
    return t;
}

int ps_rec_cupti_stop(ps_error *err)
{
    CUptiResult r = cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cuptiActivityDisable(kinds[i]);
    cuptiUnsubscribe(subscriber);
    pthread_mutex_lock(&lock);
    collector = NULL;
    pthread_mutex_unlock(&lock);
    if (r != CUPTI_SUCCESS)
        return cupti_fail(err, r, "cuptiActivityFlushAll");
    if (async_error.code) {
        *err = async_error;
        return err->code;
    }
    return PS_OK;
}

void ps_rec_cupti_versions(char *out, size_t size)
{
    uint32_t v = 0;
    cuptiGetVersion(&v);
    snprintf(out, size, "CUPTI API %u", v);
}
