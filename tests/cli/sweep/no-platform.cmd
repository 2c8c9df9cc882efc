parsim sweep --model llama3.1-8b
