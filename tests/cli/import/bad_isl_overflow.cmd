cd "$PARSIM_TMP" && printf '{"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1, "dur": 1}]}' > k.json && parsim import kineto k.json -o t --isl 99999999999
