parsim cost --gpu h200-sxm --op rmsnorm --tokens 8 --width 4096 --dtype fp64
