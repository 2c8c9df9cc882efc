parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/data/garbage.log --op all_reduce --gpus 8
