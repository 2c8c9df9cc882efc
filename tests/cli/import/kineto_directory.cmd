parsim import kineto tests -o $PARSIM_TMP/t
