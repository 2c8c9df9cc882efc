parsim cost --gpu h100-sxm --op gemm --m 64 --n 64 --k 64 --coeffs /dev/zero
