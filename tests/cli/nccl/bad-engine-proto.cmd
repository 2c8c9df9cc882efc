parsim nccl --platform platforms/hgx-h200.xml --algo trtllm --proto LL -b 1K -e 1K
