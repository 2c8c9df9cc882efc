parsim platform --preset hgx-h100 --nccl-version 2.16.5
