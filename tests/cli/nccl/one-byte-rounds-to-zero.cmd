parsim nccl --platform platforms/hgx-h200.xml -b 1 -e 1 --predict
