cd $PARSIM_TMP && parsim import kineto $PARSIM_SOURCE_DIR/traces/h200-torch-reference/kineto_decoder.json -o ""; echo "exit $?"; ls -A
