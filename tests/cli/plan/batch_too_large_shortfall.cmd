parsim plan --model llama3.1-70b --tp 4 --gpu h100-sxm --batch 5000 | grep -E 'max batch|fit'
