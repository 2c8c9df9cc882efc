parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/data/absurd-time.log --op all_reduce --gpus 8
