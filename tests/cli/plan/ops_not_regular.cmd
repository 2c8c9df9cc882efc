mkfifo "$PARSIM_TMP/fifo"; parsim plan --model llama3.1-8b --ops "$PARSIM_TMP/fifo" 2>&1 | sed "s|$PARSIM_TMP|TMP|"; rc=$?; test -p "$PARSIM_TMP/fifo" && echo "the fifo is still a fifo"; exit $rc
