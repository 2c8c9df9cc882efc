parsim plan --model llama3.1-405b --dtype bf16 --tp 8 --gpu h100-sxm --ops $PARSIM_TMP/ops.csv
