parsim plan --model llama3.1-8b --platform platforms --tp 1
