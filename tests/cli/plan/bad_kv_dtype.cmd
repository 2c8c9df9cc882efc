parsim plan --model llama3.1-405b --kv-dtype fp32
