parsim nccl --platform platforms/hgx-h200.xml --op all_gather --algo vllm -b 1K -e 1K
