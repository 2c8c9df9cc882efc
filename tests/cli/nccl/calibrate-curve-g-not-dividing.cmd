parsim calibrate --platform platforms/hgx-h100.xml --curve all_reduce:8:auto:3=tests/platform/multinode/hgx-h100-nvls-forced-g8-allreduce.csv -o $PARSIM_TMP/c.json
