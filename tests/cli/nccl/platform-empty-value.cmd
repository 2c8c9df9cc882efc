parsim nccl --platform ''
