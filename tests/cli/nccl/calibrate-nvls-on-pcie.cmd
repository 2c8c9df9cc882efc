parsim calibrate --platform platforms/pcie8-h100.xml --curve all_reduce:8:nvls:1=tests/coll/data/allreduce-8gpu.log -o $PARSIM_TMP/x.json; rc=$?; ls $PARSIM_TMP; exit $rc
