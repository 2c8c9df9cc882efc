parsim plan --model llama3.1-405b --dtype fp8 --tp 1 --pp 8 --gpu h200-sxm --batch max --isl 2048 --osl 128
