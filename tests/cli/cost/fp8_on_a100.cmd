parsim cost --gpu a100-sxm --op gemm --m 64 --n 4096 --k 4096 --dtype fp8
