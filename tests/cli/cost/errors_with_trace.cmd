parsim cost --gpu h100-sxm --errors traces/h200-torch-reference/gemm_graph.csv --trace traces/examples/llama3.1-8b-tp2-decode
