parsim plan --model llama3.1-405b --dtype int4
