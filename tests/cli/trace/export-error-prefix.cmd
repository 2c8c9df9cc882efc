parsim trace export tests -o $PARSIM_TMP/x.json
