parsim nccl --platform platforms/hgx-h200.xml --gpus 0
