parsim nccl --platform platforms/hgx-h100.xml -g 3 -b 8 -e 8
