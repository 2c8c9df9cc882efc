parsim calibrate --ops traces/h200-torch-reference/gemm_graph.csv@model=llama2-7b --gpu h200-sxm -o $PARSIM_TMP/out.cost; echo "exit $?"; ls $PARSIM_TMP
