parsim nccl --platform platforms/hgx-h100.xml --nccl-version 2.16.5
