parsim predict --model llama3.1-8b --tp 2 --scheduler static
