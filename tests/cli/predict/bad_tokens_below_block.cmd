parsim predict --model llama3.1-8b --platform hgx-h200 --max-num-tokens 31 --chunked-prefill on
