parsim validate traces/examples/llama3.1-8b-tp2-decode --platform hgx-h100 --batch 12x
