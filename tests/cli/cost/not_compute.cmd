parsim cost --gpu h200-sxm --op allreduce --tokens 64
