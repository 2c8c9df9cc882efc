parsim platform --gpu h100-sxm --fabric nvswitch --gpus-per-node 1024 --nodes 1024
