parsim nccl --platform platforms/hgx-h100.xml -b 1M -e 8M -b 2M
