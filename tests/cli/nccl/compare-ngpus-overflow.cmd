R=$PWD; cd "$PARSIM_TMP" && sed "s/nGpus 1 /nGpus 99999999999 /" "$R/tests/coll/data/allreduce-8gpu.log" > g.log && parsim nccl --platform "$R/platforms/hgx-h100.xml" --compare g.log
