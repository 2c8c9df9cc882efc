parsim validate traces/examples/llama3.1-8b-tp2-decode --platform hgx-h100 --max-error 5 --max-error 6
