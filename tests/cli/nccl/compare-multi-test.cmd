parsim nccl --platform platforms/hgx-h100.xml --compare tests/coll/logs/cluster-script-six-tests.log
