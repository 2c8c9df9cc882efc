d=$PARSIM_TMP/t; cp -r traces/examples/llama3.1-8b-tp2-decode $d && sed -i "s/\"tp\": 2/\"tp\": 4/" $d/meta.json && parsim trace check $d 2>&1 | sed "s|$PARSIM_TMP/||"
