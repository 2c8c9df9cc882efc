parsim import kineto traces/h200-torch-reference/kineto_decoder.json -o $PARSIM_TMP/a --output $PARSIM_TMP/b
