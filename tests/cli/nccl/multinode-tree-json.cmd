parsim nccl --platform platforms/dgx-h100-x2.xml --op all_reduce -b 8 -e 1G -f 128 --json
