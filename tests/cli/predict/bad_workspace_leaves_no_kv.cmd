parsim predict --model llama3.1-8b --platform hgx-h200 --max-batch-size 10000000 --max-num-tokens 8192
