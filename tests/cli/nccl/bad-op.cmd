parsim nccl --platform platforms/hgx-h100.xml --op allreduce
