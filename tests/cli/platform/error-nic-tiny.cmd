parsim platform --gpu h100-sxm --fabric nvswitch --gpus-per-node 8 --nodes 2 --nic-gbps 1e-300
