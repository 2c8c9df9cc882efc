parsim trace check traces/examples/llama3.1-8b-tp2-decode traces/examples/llama3.1-8b-tp2-decode
