cd $PARSIM_TMP && parsim platform --gpu a100-sxm --gpus-per-node 4 --nodes 3 --fabric mesh --nic-gbps 200 -o custom.xml && parsim platform --describe custom.xml --json
