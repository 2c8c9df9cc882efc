parsim sweep --model llama3.1-8b --platform hgx-h200 --shard 1/2 --html r.html
