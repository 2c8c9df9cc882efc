parsim nccl --platform platforms/hgx-h200.xml -f 1
