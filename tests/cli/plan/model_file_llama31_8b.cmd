parsim plan --model-file tests/workload/fixtures/llama-3.1-8b-config.json --tp 2 --json | grep -E '"(name|params|kv_heads|max_batch)"'
