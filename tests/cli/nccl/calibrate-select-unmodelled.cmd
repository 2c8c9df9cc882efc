parsim calibrate --platform platforms/hgx-h100.xml --nccl tests/coll/logs/cluster-script-six-tests.log --section 3 -o "$PARSIM_TMP/fit.nccl.json"
