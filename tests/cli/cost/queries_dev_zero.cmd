parsim cost --gpu h100-sxm --queries /dev/zero
