parsim nccl --platform platforms/hgx-h200.xml -g 0
