parsim platform --gpu b200 --gpus-per-node 8 --nodes 2 --fabric nvswitch --network roce --sharp
