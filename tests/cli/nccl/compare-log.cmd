parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/data/allreduce-8gpu.log
