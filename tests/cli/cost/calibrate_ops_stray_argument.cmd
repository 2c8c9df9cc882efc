parsim calibrate stray.csv --ops traces/h200-torch-reference/gemm_graph.csv --gpu h200-sxm -o $PARSIM_TMP/x.cost
