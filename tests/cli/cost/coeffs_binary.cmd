cd $PARSIM_TMP && printf "\037\213\010\000\000\000\000\000\000\003\377\376binary" > x.gz && parsim cost --gpu h100-sxm --op gemm --m 64 --n 64 --k 64 --coeffs x.gz
