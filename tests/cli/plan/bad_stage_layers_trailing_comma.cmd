parsim plan --model llama3.1-8b --pp 2 --stage-layers 16,16,
