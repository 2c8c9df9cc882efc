parsim plan --model llama3.1-405b --dtype fp8 --tp 8 --platform platforms/hgx-h200.xml --json | grep -E "\"(gpu|gpus|gpu_bytes|max_batch|fits)\""
