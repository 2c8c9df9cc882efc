parsim nccl --platform platforms/hgx-h200.xml -b 0 -e 8
