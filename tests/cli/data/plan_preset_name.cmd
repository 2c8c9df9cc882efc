unset PARSIM_DATA_DIR; parsim plan --model llama3.1-405b --dtype fp8 --tp 8 --platform hgx-h200 --json | grep -E "\"(gpu|gpus|gpu_bytes|max_batch|fits)\""
