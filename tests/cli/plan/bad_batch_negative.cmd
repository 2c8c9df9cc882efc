parsim plan --model llama3.1-8b --batch -1
