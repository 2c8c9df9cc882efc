/* parsim plan: placeholder until the workload module lands (issue 2 replaces this file). */
#include <stdio.h>
#include "commands.h"
int cmd_plan(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "parsim plan: the workload module is being written\n");
    return 1;
}
