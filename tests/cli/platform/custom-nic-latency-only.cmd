cd $PARSIM_TMP && parsim platform --gpu h100-sxm --gpus-per-node 2 --nodes 2 --fabric nvswitch --nic-latency-us 4 -o g.xml && parsim platform --describe g.xml --json | grep -A 10 "\"network\""
