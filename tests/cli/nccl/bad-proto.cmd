parsim nccl --platform platforms/hgx-h200.xml --proto LL64
