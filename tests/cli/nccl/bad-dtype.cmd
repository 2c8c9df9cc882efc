parsim nccl --platform platforms/hgx-h200.xml --dtype int4
