cd "$PARSIM_TMP" && head -c 100000 /dev/zero > zeros.json && parsim import kineto zeros.json -o t
