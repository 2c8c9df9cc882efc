parsim calibrate --ops traces/h200-torch-reference/gemm_graph.csv@size=3 --gpu h200-sxm -o $PARSIM_TMP/out.cost
