parsim validate traces/examples/llama3.1-8b-tp2-decode --platform platforms/hgx-h200.xml
