parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/logs/two-runs-interleaved-headers.log
