parsim plan --model llama3.1-405b --pp 8 --stage-layers 16,16,16,16,16,16,16,16
