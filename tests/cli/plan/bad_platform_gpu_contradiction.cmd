parsim plan --model llama3.1-8b --tp 8 --platform platforms/hgx-h200.xml --gpu h100-sxm
