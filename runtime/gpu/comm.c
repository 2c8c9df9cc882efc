/* NCCL communicators and the recorder's NCCL calls.
 *
 * One process, one thread per GPU (DESIGN.md section 1): communicators are created with
 * ncclCommInitAll, one per TP group (the tp ranks of a stage) and one per pair of adjacent
 * pipeline stages for each tp rank ("pp<s>-<s+1>", ranks 0 = stage s, 1 = stage s+1). Blocking
 * communicators only: a non-blocking one launches from an NCCL thread, where our external
 * correlation id is not current (recording.md section 1.8). Every call is made between
 * ps_rec_cupti_begin_launch / end_launch by the executor, so its kernel carries its launch;
 * the trace's comm rows (op id, bytes, dtype, peer, group, seq) come from the launch plan and the
 * kernel records (runtime/host/record_rows.c).
 */
#include <nccl.h>
#include <stdlib.h>
#include <string.h>

#include "record_gpu.h"
#include "parsim/array.h"

typedef struct group_comm {
    char name[24];
    int nranks;
    int ranks[PS_PLAN_MAX_TP]; /* global ranks, in communicator order */
    ncclComm_t comms[PS_PLAN_MAX_TP];
} group_comm;

struct ps_rec_comms {
    const ps_rec_plan *plan;
    group_comm *groups;
    int ngroups;
    size_t cap;
};

static int nccl_fail(ps_error *err, ncclResult_t r, const char *what)
{
    return ps_error_set(err, PS_EINPUT, "NCCL %s: %s", what, ncclGetErrorString(r));
}

static int slot_of_rank(const ps_rec_plan *p, int rank)
{
    for (int i = 0; i < p->nranks; i++)
        if (p->ranks[i].rank == rank)
            return i;
    return -1;
}

static group_comm *find_group(ps_rec_comms *c, const char *name)
{
    for (int i = 0; i < c->ngroups; i++)
        if (!strcmp(c->groups[i].name, name))
            return &c->groups[i];
    return NULL;
}

/* Registers the ranks of every executed NCCL launch's communicator. */
static int collect_groups(ps_rec_comms *c, ps_error *err)
{
    const ps_rec_plan *p = c->plan;
    for (int s = 0; s < p->nranks; s++)
        for (size_t i = 0; i < p->ranks[s].nlaunches; i++) {
            const ps_rec_launch *l = &p->ranks[s].launches[i];
            if (!ps_rec_launch_is_comm(l->kind) || !l->executed)
                continue;
            group_comm *g = find_group(c, l->group);
            if (!g) {
                if (ps_grow(&c->groups, &c->cap, (size_t)c->ngroups + 1, sizeof *c->groups))
                    return ps_error_set(err, PS_EINTERNAL, "out of memory");
                g = &c->groups[c->ngroups++];
                memset(g, 0, sizeof *g);
                snprintf(g->name, sizeof g->name, "%s", l->group);
            }
            int rank = p->ranks[s].rank, at = 0;
            while (at < g->nranks && g->ranks[at] != rank)
                at++;
            if (at == g->nranks && g->nranks < PS_PLAN_MAX_TP)
                g->ranks[g->nranks++] = rank;
        }
    return PS_OK;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int ps_rec_comms_create(ps_rec_comms **out, const ps_rec_plan *p, ps_error *err)
{
    ps_rec_comms *c = calloc(1, sizeof *c);
    if (!c)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    c->plan = p;
    int rc = collect_groups(c, err);
    for (int i = 0; i < c->ngroups && !rc; i++) {
        group_comm *g = &c->groups[i];
        qsort(g->ranks, (size_t)g->nranks, sizeof g->ranks[0], cmp_int); /* tp order; pp: lower stage first */
        int devs[PS_PLAN_MAX_TP];
        for (int k = 0; k < g->nranks; k++)
            devs[k] = p->ranks[slot_of_rank(p, g->ranks[k])].device;
        ncclResult_t r = ncclCommInitAll(g->comms, g->nranks, devs);
        if (r != ncclSuccess)
            rc = nccl_fail(err, r, "ncclCommInitAll");
    }
    if (rc) {
        ps_rec_comms_destroy(c);
        return rc;
    }
    *out = c;
    return PS_OK;
}

void ps_rec_comms_destroy(ps_rec_comms *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->ngroups; i++)
        for (int k = 0; k < c->groups[i].nranks; k++)
            if (c->groups[i].comms[k])
                ncclCommDestroy(c->groups[i].comms[k]);
    free(c->groups);
    free(c);
}

int ps_rec_comm_run(ps_rec_comms *c, int slot, const ps_rec_launch *l, const void *send, void *recv,
                    cudaStream_t stream, ps_error *err)
{
    group_comm *g = find_group(c, l->group);
    int rank = c->plan->ranks[slot].rank, me = -1, peer = -1;
    for (int k = 0; g && k < g->nranks; k++) {
        if (g->ranks[k] == rank)
            me = k;
        if (g->ranks[k] == l->peer)
            peer = k;
    }
    if (me < 0)
        return ps_error_set(err, PS_EINTERNAL, "rank %d is not in communicator %s", rank, l->group);
    ncclComm_t comm = g->comms[me];
    size_t count = (size_t)l->count;
    ncclResult_t r = ncclSuccess;
    switch (l->kind) {
    case PS_RL_ALLREDUCE: r = ncclAllReduce(send, recv, count, ncclBfloat16, ncclSum, comm, stream); break;
    case PS_RL_ALLGATHER: r = ncclAllGather(send, recv, count, ncclBfloat16, comm, stream); break;
    case PS_RL_SEND: r = ncclSend(send, count, ncclBfloat16, peer, comm, stream); break;
    case PS_RL_RECV: r = ncclRecv(recv, count, ncclBfloat16, peer, comm, stream); break;
    default: return ps_error_set(err, PS_EINTERNAL, "launch %s is not an NCCL call", ps_rec_launch_kind_name(l->kind));
    }
    return r == ncclSuccess ? PS_OK : nccl_fail(err, r, ps_rec_launch_kind_name(l->kind));
}

void ps_rec_nccl_version(char *out, size_t size)
{
    int v = 0;
    ncclGetVersion(&v);
    snprintf(out, size, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
}
