parsim calibrate --platform platforms/hgx-h100.xml --nccl tests/coll/data/allreduce-8gpu.log -o $PARSIM_TMP/x.json --section 0
