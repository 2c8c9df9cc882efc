parsim cost --gpu h100-sxm --op gemm --m 8 --n 4096 --k 4096 --op-id decode/mb0/L000/qkv_gemm
