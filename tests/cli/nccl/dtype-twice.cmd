parsim nccl --platform platforms/hgx-h200.xml -d fp16 --dtype fp32
