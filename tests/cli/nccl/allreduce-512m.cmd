parsim nccl --platform platforms/hgx-h100.xml --op all_reduce --gpus 8 -b 512M -e 512M
