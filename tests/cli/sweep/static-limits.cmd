parsim sweep --model llama3.1-8b --platform platforms/hgx-h200.xml --scheduler static --max-batch-size 8
