/* parsim-record: records one step of the op graph on the local GPUs into a parsim trace.
 * Everything before the GPU (options, launch plan, dry run) is runtime/host/; the run is
 * runtime/gpu/. Exit 0 on success, 2 with one line on stderr for bad usage, bad input or a
 * machine that cannot run the plan (no CUDA device, too few GPUs, out of memory). */
#include <stdio.h>

#include "record.h"
#include "record_gpu.h"

int main(int argc, char **argv)
{
    ps_rec_options o;
    ps_error err = {0};
    if (ps_rec_parse_args(argc, argv, &o, &err)) {
        fprintf(stderr, "parsim-record: %s\n", err.message);
        return 2;
    }
    if (o.help) /* the help was printed on stdout while parsing */
        return 0;
    ps_rec_plan plan;
    if (ps_rec_plan_build(&o, &plan, &err)) {
        fprintf(stderr, "parsim-record: %s\n", err.message);
        return 2;
    }
    int rc = 0;
    if (o.dry_run) {
        ps_rec_dry_run(&o, &plan, stdout);
        if (fflush(stdout) || ferror(stdout)) {
            fprintf(stderr, "parsim-record: cannot write the dry run to stdout\n");
            rc = 2;
        }
    } else if (ps_rec_run(&o, &plan, &err)) {
        fprintf(stderr, "parsim-record: %s\n", err.message);
        rc = 2;
    }
    ps_rec_plan_free(&plan);
    return rc;
}
