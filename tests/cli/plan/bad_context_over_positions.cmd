parsim plan --model llama2-70b --isl 4000 --osl 128
