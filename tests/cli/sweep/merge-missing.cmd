parsim sweep --merge tests/cli/sweep/data/empty-a2.csv
