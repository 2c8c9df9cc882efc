parsim sweep --model llama3.1-8b --gpus 2 --isl 64 --osl 4 --scheduler static --platform hgx-h200 --csv $PARSIM_TMP/x --html $PARSIM_TMP/x 2>&1 | sed "s|$PARSIM_TMP/||"
