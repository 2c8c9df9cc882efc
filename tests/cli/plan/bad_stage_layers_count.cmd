parsim plan --model llama3.1-405b --pp 2 --stage-layers 63,33,30
