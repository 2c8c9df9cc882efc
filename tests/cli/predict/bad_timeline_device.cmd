parsim predict --model llama3.1-8b --tp 2 --platform platforms/hgx-h200.xml --batch 4 --isl 256 --osl 8 --timeline /dev/null
