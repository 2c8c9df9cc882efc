parsim sweep --model llama3.1-8b --platform hgx-h200 --tp 2
