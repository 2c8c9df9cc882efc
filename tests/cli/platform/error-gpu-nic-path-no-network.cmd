parsim platform --gpu h100-sxm --gpus-per-node 8 --nodes 2 --fabric nvswitch --gpu-nic-path phb
