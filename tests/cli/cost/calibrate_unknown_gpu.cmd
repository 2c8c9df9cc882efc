parsim calibrate --ops traces/h200-torch-reference/gemm_graph.csv --gpu h900 -o $PARSIM_TMP/out.cost
