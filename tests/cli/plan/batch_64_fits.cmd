parsim plan --model llama3.1-70b --tp 4 --gpu h100-sxm --batch 64 --json | grep -E '"(batch|max_batch|fits|shortfall_bytes)"'
