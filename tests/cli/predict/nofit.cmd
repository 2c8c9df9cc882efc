parsim predict --model llama3.1-405b --tp 1 --platform platforms/hgx-h200.xml --scheduler static --batch 1 --isl 2048 --osl 128
