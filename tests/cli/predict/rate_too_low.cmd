parsim predict --model llama3.1-8b --platform hgx-h200 --requests 50 --rate 1e-15
