parsim predict --model llama3.1-70b --platform platforms/hgx-h100.xml --tp 2 --scheduler inflight --engine vllm --isl 10000 --osl 10000 --mem-fraction 0.95 --requests 1
