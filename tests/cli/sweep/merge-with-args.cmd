parsim sweep --merge --model llama3.1-8b tests/cli/sweep/data/empty-a1.csv
