parsim nccl --platform platforms/pcie8-h100.xml --algo nvls -b 1M -e 1M
