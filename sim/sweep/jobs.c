/* Worker processes of a sweep (sweep.h): one fork per case, at most `jobs` alive, each sending one
 * message {code, error, result} through its own pipe. SimGrid runs one engine per process, so a
 * process per case is what lets a sweep use every core; the message is a plain struct (no
 * pointers), written once (a pipe write of up to PIPE_BUF is atomic; ours is larger, so the parent
 * reads until it has all of it or the pipe closes). */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parsim/sweep.h"

/* What a worker sends: a header, then result_bytes of result. */
typedef struct worker_msg {
    int code;
    ps_error err;
} worker_msg;

#define RESULT_MAX_BYTES (64 * 1024)

typedef struct worker {
    pid_t pid;
    int fd;          /* read end, -1 when free */
    size_t slot;     /* index into cases/out */
    size_t got;      /* bytes of msg + result received */
    size_t want;     /* sizeof msg + result_bytes */
    unsigned char buf[sizeof(worker_msg) + RESULT_MAX_BYTES];
} worker;

int ps_sweep_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* In the child: never returns. stdout goes to /dev/null so that nothing a case prints can mix
 * into the sweep's own output; stderr stays (a crash report is better than silence). */
static void child_main(const ps_sweep_runner *r, size_t case_index, int fd, const worker *all, int nworkers)
{
    for (int i = 0; i < nworkers; i++)
        if (all[i].fd >= 0)
            close(all[i].fd);
    FILE *null = freopen("/dev/null", "w", stdout);
    (void)null;
    static unsigned char buf[sizeof(worker_msg) + RESULT_MAX_BYTES];
    worker_msg msg;
    memset(&msg, 0, sizeof msg);
    memset(buf, 0, sizeof buf);
    msg.code = r->run(r->ctx, case_index, buf + sizeof msg, &msg.err);
    if (msg.code && msg.err.code == 0)
        msg.err.code = msg.code;
    memcpy(buf, &msg, sizeof msg);
    _exit(write_all(fd, buf, sizeof msg + r->result_bytes) ? 1 : 0);
}

static int start_worker(const ps_sweep_runner *r, worker *all, int nworkers, worker *w, size_t slot,
                        size_t case_index, ps_error *err)
{
    int fds[2];
    if (pipe(fds))
        return ps_error_set(err, PS_EINTERNAL, "pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return ps_error_set(err, PS_EINTERNAL, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(r, case_index, fds[1], all, nworkers);
    }
    close(fds[1]);
    w->pid = pid;
    w->fd = fds[0];
    w->slot = slot;
    w->got = 0;
    w->want = sizeof(worker_msg) + r->result_bytes;
    return PS_OK;
}

/* Reads what is there; returns 1 when the pipe closed (message complete or not), 0 otherwise. */
static int drain(worker *w)
{
    for (;;) {
        unsigned char *dst = w->buf + w->got;
        size_t room = w->want - w->got;
        char sink[256];
        ssize_t n = room ? read(w->fd, dst, room) : read(w->fd, sink, sizeof sink);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0)
            return 1;
        if (room)
            w->got += (size_t)n;
        return 0; /* poll again: more may come, or the end of file */
    }
}

/* Reaps a finished worker and turns its message (or its death) into a result. */
static int finish_worker(const ps_sweep_runner *r, worker *w, const size_t *cases, void *out, ps_error *err)
{
    close(w->fd);
    w->fd = -1;
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    char name[160];
    r->describe(r->ctx, cases[w->slot], name, sizeof name);
    if (w->got != w->want) {
        if (WIFSIGNALED(status))
            return ps_error_set(err, PS_EINTERNAL, "%s: the prediction process died (signal %d, %s)", name,
                                WTERMSIG(status), strsignal(WTERMSIG(status)));
        return ps_error_set(err, PS_EINTERNAL, "%s: the prediction process exited (status %d) without a result",
                            name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    worker_msg msg;
    memcpy(&msg, w->buf, sizeof msg);
    if (msg.code) {
        *err = msg.err;
        err->message[sizeof err->message - 1] = '\0';
        return msg.code == PS_EINPUT ? PS_EINPUT : PS_EINTERNAL;
    }
    memcpy((unsigned char *)out + w->slot * r->result_bytes, w->buf + sizeof msg, r->result_bytes);
    return PS_OK;
}

static void stop_all(worker *all, int n)
{
    for (int i = 0; i < n; i++) {
        if (all[i].fd < 0)
            continue;
        kill(all[i].pid, SIGKILL); /* our own child, by its pid */
        close(all[i].fd);
        all[i].fd = -1;
        while (waitpid(all[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

int ps_sweep_run(const ps_sweep_runner *r, const size_t *cases, size_t ncases, void *out, ps_error *err)
{
    if (r->result_bytes == 0 || r->result_bytes > RESULT_MAX_BYTES)
        return ps_error_set(err, PS_EINTERNAL, "sweep: a result of %zu bytes does not fit a worker's message",
                            r->result_bytes);
    int jobs = r->jobs < 1 ? 1 : r->jobs;
    if ((size_t)jobs > ncases)
        jobs = ncases ? (int)ncases : 1;
    worker *all = calloc((size_t)jobs, sizeof *all);
    struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
    if (!all || !pfd) {
        free(all);
        free(pfd);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < jobs; i++)
        all[i].fd = -1;
    double t0 = now_s();
    size_t next = 0, done = 0;
    int rc = PS_OK;
    while (done < ncases && rc == PS_OK) {
        for (int i = 0; i < jobs && next < ncases && rc == PS_OK; i++)
            if (all[i].fd < 0 && (rc = start_worker(r, all, jobs, &all[i], next, cases[next], err)) == PS_OK)
                next++;
        if (rc)
            break;
        for (int i = 0; i < jobs; i++)
            pfd[i] = (struct pollfd){.fd = all[i].fd, .events = POLLIN};
        if (poll(pfd, (nfds_t)jobs, -1) < 0) {
            if (errno == EINTR)
                continue;
            rc = ps_error_set(err, PS_EINTERNAL, "poll: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < jobs && rc == PS_OK; i++) {
            if (all[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) || !drain(&all[i]))
                continue;
            rc = finish_worker(r, &all[i], cases, out, err);
            done++;
            if (rc == PS_OK && r->progress)
                r->progress(r->ctx, done, ncases, now_s() - t0);
        }
    }
    stop_all(all, jobs);
    free(all);
    free(pfd);
    return rc;
}
