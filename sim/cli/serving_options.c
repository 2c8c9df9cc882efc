/* Serving flags shared by sweep and validate (serving_options.h): predict's spelling. */
#include <string.h>

#include "serving_options.h"

static const char *const names[] = {"scheduler", "engine", "launch"};
#define COUNT (sizeof names / sizeof names[0])

static int index_of(const char *name)
{
    for (size_t i = 0; i < COUNT; i++)
        if (!strcmp(name, names[i]))
            return (int)i;
    return -1;
}

bool ps_cli_is_serving_option(const char *name) { return index_of(name) >= 0; }

int ps_cli_parse_serving_option(ps_serving *s, unsigned *seen, const char *name, const char *v, ps_error *err)
{
    int i = index_of(name);
    if (i < 0)
        return ps_error_set(err, PS_EINTERNAL, "--%s: not a serving option", name);
    if (*seen & (1u << i))
        return ps_error_set(err, PS_EINPUT, "--%s given twice (give each option once)", name);
    *seen |= 1u << i;
    switch (i) {
    case 0:
        if (!strcmp(v, "static"))
            s->scheduler = PS_SCHED_STATIC;
        else if (!strcmp(v, "inflight"))
            s->scheduler = PS_SCHED_INFLIGHT;
        else
            return ps_error_set(err, PS_EINPUT, "--scheduler: '%s' is not one of static inflight", v);
        return PS_OK;
    case 1:
        if (!strcmp(v, "trtllm"))
            s->engine = PS_ENGINE_TRTLLM;
        else if (!strcmp(v, "vllm"))
            s->engine = PS_ENGINE_VLLM;
        else
            return ps_error_set(err, PS_EINPUT, "--engine: '%s' is not one of trtllm vllm", v);
        return PS_OK;
    case 2:
        if (!ps_launch_mode_parse(v, &s->launch))
            return ps_error_set(err, PS_EINPUT, "--launch: '%s' is not one of graph eager", v);
        return PS_OK;
    }
    return ps_error_set(err, PS_EINTERNAL, "--%s: unhandled", name);
}

void ps_cli_serving_usage(FILE *out)
{
    fputs("serving (as parsim predict; docs/predict.md):\n"
          "  --scheduler S         static | inflight (predict's default)\n"
          "  --engine E            trtllm | vllm (default trtllm)\n"
          "  --launch L            graph | eager: how decode kernels are launched (default graph)\n",
          out);
}
