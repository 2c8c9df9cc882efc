parsim nccl --platform platforms/hgx-h200.xml -b 128G -e 128G
