parsim nccl --platform platforms/hgx-h200.xml -b 1Kx
