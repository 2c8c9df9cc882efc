cd "$PARSIM_TMP" && printf '{"traceEvents": []}' | gzip -c > x.json.gz && printf 'PK' >> x.json.gz && parsim import kineto x.json.gz -o t
