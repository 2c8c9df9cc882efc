parsim nccl --platform platforms/hgx-h200.xml -e 99999999999999999999
