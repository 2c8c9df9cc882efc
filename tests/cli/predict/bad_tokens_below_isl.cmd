parsim predict --model llama3.1-8b --tp 2 --platform platforms/hgx-h200.xml --batch 1 --isl 4096 --osl 16 --max-num-tokens 2048
