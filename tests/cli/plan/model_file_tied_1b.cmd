parsim plan --model-file tests/workload/fixtures/llama-3.2-1b-config.json --pp 2 --json | grep -E '"(params|tie_word_embeddings|weights_bytes|weights_bytes_per_gpu)"'
