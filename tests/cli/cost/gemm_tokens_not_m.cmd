parsim cost --gpu h200-sxm --op gemm --m 64 --n 6144 --k 4096 --tokens 128
