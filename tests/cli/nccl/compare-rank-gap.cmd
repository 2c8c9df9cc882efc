parsim nccl --platform platforms/dgx-h100-x16.xml --compare tests/coll/logs/excerpt-rank-gap.log
