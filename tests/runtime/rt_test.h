/* tests/runtime/rt_test.h: the few assertions the runtime's tests need. Plain C on purpose: the
 * runtime and its tests also build standalone on a GPU host that has no cmocka. A failed check
 * prints FILE:LINE and the expression and makes the test exit 1; main returns rt_result(). */
#ifndef PARSIM_RT_TEST_H
#define PARSIM_RT_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rt_failures, rt_checks;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        rt_checks++;                                                                                                   \
        if (!(cond)) {                                                                                                 \
            rt_failures++;                                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
        }                                                                                                              \
    } while (0)

#define CHECK_STR(got, want)                                                                                           \
    do {                                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                                          \
        rt_checks++;                                                                                                   \
        if (!g_ || strcmp(g_, w_)) {                                                                                   \
            rt_failures++;                                                                                             \
            fprintf(stderr, "%s:%d: got  '%s'\n%*swant '%s'\n", __FILE__, __LINE__, g_ ? g_ : "(null)",              \
                    (int)strlen(__FILE__) + 8, "", w_);                                                                \
        }                                                                                                              \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                                                                     \
    do {                                                                                                               \
        double g_ = (got), w_ = (want), t_ = (tol);                                                                    \
        rt_checks++;                                                                                                   \
        if (!(fabs(g_ - w_) <= t_)) {                                                                                  \
            rt_failures++;                                                                                             \
            fprintf(stderr, "%s:%d: %s = %.9g, want %.9g +- %.3g\n", __FILE__, __LINE__, #got, g_, w_, t_);           \
        }                                                                                                              \
    } while (0)

/* argv of "parsim-record LINE SUFFIX", split at spaces (NULL-terminated, at most 63 words);
 * the words live in a static buffer, valid until the next call. Returns argc. */
static inline int rt_argv(const char *line, const char *suffix, char *argv[64])
{
    static char buf[1024];
    int argc = 0;
    snprintf(buf, sizeof buf, "parsim-record %s%s", line, suffix);
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    return argc;
}

static inline int rt_result(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, rt_checks, rt_failures);
    return rt_failures ? 1 : 0;
}

#endif
