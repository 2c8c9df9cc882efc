parsim nccl --platform platforms/hgx-h100-x2-ib.xml --algo collnet_direct -b 1M -e 1M
