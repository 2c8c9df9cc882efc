parsim replay traces/examples/llama3.1-8b-tp2-decode
