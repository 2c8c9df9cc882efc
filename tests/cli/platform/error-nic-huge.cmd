parsim platform --gpu h100-sxm --gpus-per-node 8 --nodes 2 --fabric nvswitch --nic-gbps 1e300 -o $PARSIM_TMP/p.xml; rc=$?; test -e $PARSIM_TMP/p.xml && echo "written anyway"; exit $rc
