parsim calibrate --platform platforms/hgx-h100.xml --nccl tests/coll/logs/current-allreduce-8gpu.log --nccl ./tests/coll/logs/current-allreduce-8gpu.log -o $PARSIM_TMP/c.json
