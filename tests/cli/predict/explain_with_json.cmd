parsim predict --model llama3.1-8b --platform platforms/hgx-h200.xml --tp 8 --batch 1 --json --explain
