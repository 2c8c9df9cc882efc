parsim predict --model llama3.1-8b --platform platforms/hgx-h200.xml --rate 0x10
