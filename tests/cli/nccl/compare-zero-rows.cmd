parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/logs/zero-byte-rows.log
