parsim plan --model llama3.1-8b --mem-fraction 1.0000001
