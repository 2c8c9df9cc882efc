parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/logs/v2.0-no-root-3space-rank.log
