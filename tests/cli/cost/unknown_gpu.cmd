parsim cost --gpu h900 --op gemm --m 1 --n 1 --k 1
