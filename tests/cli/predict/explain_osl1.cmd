parsim predict --model llama3.1-8b --platform hgx-h200 --scheduler static --batch 1 --isl 16 --osl 1 --explain | grep "^why"
