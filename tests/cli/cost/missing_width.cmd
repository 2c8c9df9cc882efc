parsim cost --gpu h200-sxm --op rmsnorm --tokens 64
