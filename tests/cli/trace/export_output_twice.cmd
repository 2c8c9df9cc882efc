parsim trace export traces/examples/llama3.1-8b-tp2-decode -o $PARSIM_TMP/a.json --output $PARSIM_TMP/b.json
