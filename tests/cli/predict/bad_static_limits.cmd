parsim predict --model llama3.1-8b --tp 2 --platform platforms/hgx-h200.xml --scheduler static --requests 10
