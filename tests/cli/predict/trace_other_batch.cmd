parsim predict --model llama3.1-8b --platform platforms/hgx-h100.xml --tp 2 --batch 4 --isl 1024 --osl 128 --scheduler static --trace traces/examples/llama3.1-8b-tp2-decode | grep "cost sources"
