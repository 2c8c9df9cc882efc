parsim nccl --platform platforms/hgx-h100.xml --algo nvls_tree -b 1M -e 1M
