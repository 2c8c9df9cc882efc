parsim platform --gpu h100-pcie --gpus-per-node 8 --fabric nvswitch
