parsim plan --model llama3.1-405b --tp 0
