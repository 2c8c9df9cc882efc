parsim nccl --platform platforms/gcp-a3-mega-x2.xml --op all_gather --gpus 16 -b 8 -e 8 --proto LL
