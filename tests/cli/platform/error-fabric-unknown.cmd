parsim platform --gpu h100-sxm --gpus-per-node 8 --fabric nvlink
