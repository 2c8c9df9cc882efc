parsim nccl --platform platforms/hgx-h200.xml -e 100000T
