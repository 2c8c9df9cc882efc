cd "$PARSIM_TMP" && printf '{"traceEvents": [\n' > x.json && parsim import kineto x.json -o t
