parsim nccl --platform hgx-h200 -b 0 -e 8
