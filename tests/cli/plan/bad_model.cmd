parsim plan --model llama3.1-406b
