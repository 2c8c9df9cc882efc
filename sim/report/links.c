/* Link load of a decode iteration, per link class, for the report's link picture (report.h).
 *
 * Bytes per decode iteration of one replica with B sequences in flight (B = predict's mean batch),
 * from graph.h's invariants: each TP all-reduce carries tokens x hidden x activation bytes, there
 * are 2 per layer, and a stage holds at most ceil(layers / pp) layers, so the all-reduce buffers of
 * an iteration add up to S = 2 ceil(L / pp) B H a. A ring all-reduce sends 2 (tp - 1) / tp of its
 * buffer out of every GPU (the factor nccl-tests calls busbw), so a GPU sends
 *     tp_bytes = S x 2 (tp - 1) / tp.
 * Each PP hand-off sends the microbatch's B_mb x H x a to the next stage's GPU of the same TP
 * rank, B in all per iteration: pp_bytes = B H a (0 for the last stage; the middle stages both
 * send and receive, so the busiest GPU's port carries tp_bytes + pp_bytes out).
 * Load = bytes / (bandwidth x iteration time), iteration time = TPOT (one decode iteration gives
 * every sequence one token).
 *   port: (tp_bytes + pp_bytes) / port bandwidth (NVLink or PCIe per direction);
 *   pair: the busiest single link. On a switch every pair can use the whole port, so pair = port.
 *         On a full mesh a TP group of tp GPUs spreads its rings over its tp - 1 private links
 *         (NCCL builds one ring per link set), but a hand-off has exactly one link, of
 *         1/(n-1) of the port: pair = max(tp_bytes / (tp - 1), pp_bytes) / pair bandwidth.
 *   nic:  what leaves a node: tp_bytes when a TP group spans nodes, pp_bytes when consecutive
 *         stages sit on different nodes.
 * Ignored (a few percent at most at decode): the LM head's logits all-gather and the embedding.
 */
#include <math.h>
#include <string.h>

#include "parsim/model.h"
#include "parsim/report.h"

static double ceil_div(double a, double b) { return ceil(a / b); }

/* Whether some stage boundary of a replica falls between two nodes. */
static bool pp_crosses_nodes(int tp, int pp, int gpus_per_node)
{
    for (int s = 0; s + 1 < pp; s++) {
        int last = s * tp + tp - 1, next = (s + 1) * tp;
        if (gpus_per_node > 0 && last / gpus_per_node != next / gpus_per_node)
            return true;
    }
    return false;
}

void ps_report_link_load(ps_sweep_row *row, const ps_link_platform *p, const struct ps_model *model,
                         const struct ps_precision *precision)
{
    snprintf(row->fabric, sizeof row->fabric, "%s", p->fabric);
    row->gpus_per_node = p->gpus_per_node;
    double t_s = row->pred.tpot_ms / 1000.0, b = row->pred.batch;
    if (!row->pred.fits || !(t_s > 0) || !(b > 0)) {
        row->link_port_busy = row->link_pair_busy = row->link_nic_busy = NAN;
        return;
    }
    double a = (double)ps_dtype_bytes(precision->act), h = (double)model->hidden;
    int tp = row->tp, pp = row->pp;
    double stage_layers = ceil_div((double)model->layers, pp);
    double tp_bytes = tp > 1 ? 2.0 * stage_layers * b * h * a * 2.0 * (tp - 1) / tp : 0.0;
    double pp_bytes = pp > 1 ? b * h * a : 0.0;
    double port = p->port_bytes_per_s > 0 ? p->port_bytes_per_s : NAN;
    double pair = p->pair_bytes_per_s > 0 ? p->pair_bytes_per_s : port;
    bool tp_leaves_node = tp > p->gpus_per_node;
    bool pp_leaves_node = pp > 1 && pp_crosses_nodes(tp, pp, p->gpus_per_node);
    /* what stays inside the node rides the scale-up port */
    double port_bytes = (tp_leaves_node ? 0 : tp_bytes) + (pp_leaves_node ? 0 : pp_bytes);
    row->link_port_busy = port_bytes / (port * t_s);
    double tp_per_link = tp_leaves_node ? 0 : (!strcmp(p->fabric, "mesh") && tp > 1 ? tp_bytes / (tp - 1) : tp_bytes);
    double pair_bytes = fmax(tp_per_link, pp_leaves_node ? 0 : pp_bytes);
    if (strcmp(p->fabric, "mesh"))
        pair_bytes = port_bytes, pair = port; /* a switch (or PCIe tree) gives a pair the whole port */
    row->link_pair_busy = pair_bytes / (pair * t_s);
    double nic_bytes = (tp_leaves_node ? tp_bytes : 0) + (pp_leaves_node ? pp_bytes : 0);
    row->link_nic_busy = nic_bytes > 0 && p->nic_bytes_per_s > 0 ? nic_bytes / (p->nic_bytes_per_s * t_s) : 0.0;
}
