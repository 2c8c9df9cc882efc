cd $PARSIM_TMP && parsim platform --gpu h100-pcie --gpus-per-node 4 --fabric pcie -o p4.xml && parsim platform --describe p4.xml
