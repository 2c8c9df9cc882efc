parsim calibrate --platform platforms/hgx-h100.xml --nccl tests/coll/data/allreduce-8gpu.log -o $PARSIM_TMP/x.json --peak all_reduce:8:auto:8G:0
