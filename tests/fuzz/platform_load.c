/* libFuzzer target: the platform loader (sim/platform/platform_load.c) on whole XML files, the
 * way `parsim platform --describe` and every simulation read them. Built and run by
 * scripts/fuzz.sh (make fuzz).
 *
 * SimGrid holds one platform per process and aborts the process on a malformed file, so:
 * ps_platform_validate runs here (it forks its own SimGrid child, as in production), and a file it
 * accepts is loaded, summarised and routed in a forked child of this process, which reports the
 * result code and message through a pipe. A child that dies (signal, sanitizer report, any exit
 * but 0) is a finding, reported here by a trap. The price: libFuzzer sees coverage of this
 * process only (validation, the reason extraction), so mutations around the loader's property
 * checks are blind; the seeds (tests/fuzz/corpus/platform_load and the bad-input corpus
 * tests/fuzz/bad/platform) cover every property the loader reads. */
#include <errno.h>
#include <sys/wait.h>

#include "fuzz_file.h"
#include "parsim/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct load_report {
    int rc;
    char message[PS_ERROR_MESSAGE_BYTES];
} load_report;

/* In the child: load, summarise, query a route; write the report; never returns. */
static void load_in_child(const char *path, int fd)
{
    load_report rep = {0};
    ps_error err = {0};
    ps_platform *p = NULL;
    ps_platform_summary s;
    rep.rc = ps_platform_load(path, &p, &err);
    if (!rep.rc)
        rep.rc = ps_platform_summarize(p, &s, &err);
    if (!rep.rc && ps_platform_gpu_count(p) > 1) {
        double bw, lat;
        rep.rc = ps_platform_route(p, 0, ps_platform_gpu_count(p) - 1, &bw, &lat, &err);
        if (!rep.rc && !(bw > 0 && lat >= 0))
            _exit(3);
    }
    snprintf(rep.message, sizeof rep.message, "%s", err.message);
    ps_platform_free(p);
    _exit(write(fd, &rep, sizeof rep) == (ssize_t)sizeof rep ? 0 : 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file(data, size, ".xml");
    ps_error err = {0};
    int rc = ps_platform_validate(path, &err);
    fuzz_check_file_error(path, rc, err.message);
    if (rc != PS_OK)
        return 0;
    int fds[2];
    if (pipe(fds) != 0)
        __builtin_trap();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        __builtin_trap();
    if (pid == 0) {
        close(fds[0]);
        load_in_child(path, fds[1]);
    }
    close(fds[1]);
    load_report rep;
    ssize_t got = read(fds[0], &rep, sizeof rep);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            __builtin_trap();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof rep)
        __builtin_trap();
    rep.message[sizeof rep.message - 1] = '\0';
    fuzz_check_file_error(path, rep.rc, rep.message);
    return 0;
}
