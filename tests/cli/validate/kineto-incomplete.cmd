parsim import kineto traces/h200-torch-reference/kineto_decoder.json -o $PARSIM_TMP/k >/dev/null && parsim validate $PARSIM_TMP/k --platform hgx-h200 2>&1 | sed "s|$PARSIM_TMP|TMP|"
