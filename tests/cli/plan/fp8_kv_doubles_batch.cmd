parsim plan --model llama3.1-70b --tp 4 --gpu h100-sxm --kv-dtype fp8 --json | grep -E '"(kv_cache|kv_bytes_per_token_per_gpu|max_batch)"'
