cd $PARSIM_TMP && parsim sweep --model llama3.1-8b --gpus 2 --isl 64 --osl 4 --scheduler static --platform hgx-h200 --csv ""; echo "exit $?"; ls -A
