parsim plan --model llama3.1-8b --tp 2 --tp 4
