cd "$PARSIM_TMP" && printf '{"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 5, "dur": -0.5}]}' > x.json && parsim import kineto x.json -o t
