parsim nccl --platform platforms/hgx-h200.xml --compare tests/coll/data/allreduce-8gpu.log --section 0
