parsim plan --model llama3.1-405b --mem-fraction 0
