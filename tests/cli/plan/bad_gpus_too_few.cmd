parsim plan --model llama3.1-405b --tp 8 --pp 2 --gpus 8
