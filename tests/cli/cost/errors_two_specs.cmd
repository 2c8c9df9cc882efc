parsim cost --gpu h200-sxm --errors traces/h200-torch-reference/gemm_graph.csv traces/h200-torch-reference/attention_graph.csv | cut -d"|" -f2 | sort | uniq -c
