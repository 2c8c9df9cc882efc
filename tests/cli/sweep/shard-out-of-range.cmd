parsim sweep --model llama3.1-8b --platform hgx-h200 --shard 3/2 --csv x.csv
