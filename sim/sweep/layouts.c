/* The layout space of a sweep: every tp x pp x dp = N that the plan rules and the platform allow. */
#include <stdlib.h>

#include "parsim/plan.h"
#include "parsim/array.h"
#include "parsim/sweep.h"

/* TP groups are tp consecutive ranks (plan.h) and ranks fill nodes in order (platform.h), so a
 * group stays inside a node exactly when tp divides the GPUs per node. */
static bool tp_fits_node(int tp, int gpus_per_node) { return gpus_per_node > 0 && gpus_per_node % tp == 0; }

int ps_sweep_layouts(const ps_model *model, int gpus, int gpus_per_node, bool allow_cross_node_tp,
                     ps_layout **out, size_t *count, ps_error *err)
{
    *out = NULL;
    *count = 0;
    if (gpus < 1)
        return ps_error_set(err, PS_EINPUT, "--gpus: %d is not a GPU count", gpus);
    ps_layout *layouts = NULL;
    size_t n = 0, cap = 0;
    for (int tp = 1; tp <= gpus; tp++) {
        if (gpus % tp || tp > PS_PLAN_MAX_TP || (!allow_cross_node_tp && !tp_fits_node(tp, gpus_per_node)))
            continue;
        for (int pp = 1; pp <= gpus / tp; pp++) {
            if ((gpus / tp) % pp || pp > PS_PLAN_MAX_PP)
                continue;
            int dp = gpus / tp / pp;
            ps_plan plan;
            ps_error why;
            if (dp > PS_PLAN_MAX_DP || ps_plan_init(&plan, model, tp, pp, dp, 0, NULL, gpus, &why))
                continue; /* a rule of the plan refuses it (heads, layers, ...) */
            if (ps_grow(&layouts, &cap, n + 1, sizeof *layouts)) {
                free(layouts);
                return ps_error_set(err, PS_EINTERNAL, "out of memory");
            }
            layouts[n++] = (ps_layout){tp, pp, dp};
        }
    }
    *out = layouts;
    *count = n;
    return PS_OK;
}
