parsim cost --gpu h200-sxm --op gemm --m 64 --n 64 --k 64 --coeffs tests/no-such.cost
