parsim plan --model llama3.1-405b --dtype bf16 --tp 8 --pp 1 --gpu h100-sxm --batch max --isl 2048 --osl 128
