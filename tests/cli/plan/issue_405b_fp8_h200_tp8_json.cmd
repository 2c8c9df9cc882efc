parsim plan --model llama3.1-405b --dtype fp8 --tp 8 --pp 1 --gpu h200-sxm --batch max --isl 2048 --osl 128 --json
