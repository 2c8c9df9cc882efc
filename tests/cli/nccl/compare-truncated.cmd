R=$PWD; cd "$PARSIM_TMP" && head -c 1500 "$R/tests/coll/data/allreduce-8gpu.log" > cut.log && parsim nccl --platform "$R/platforms/hgx-h100.xml" --compare cut.log
