parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/data/huge-size.csv --op all_reduce --gpus 8
