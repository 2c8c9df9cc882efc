parsim cost --gpu h200-sxm --op gemm --m 64 --n 12x --k 4096
