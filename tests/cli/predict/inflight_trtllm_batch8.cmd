parsim predict --model llama3.1-8b --tp 2 --platform platforms/hgx-h200.xml --batch 8 --isl 512 --osl 32
