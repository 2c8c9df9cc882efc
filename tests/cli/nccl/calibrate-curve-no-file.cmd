parsim calibrate --platform platforms/hgx-h100.xml --curve all_reduce:8:auto:1= -o $PARSIM_TMP/c.json
