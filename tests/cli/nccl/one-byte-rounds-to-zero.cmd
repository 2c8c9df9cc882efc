parsim nccl --platform hgx-h200 -b 1 -e 1 --predict
