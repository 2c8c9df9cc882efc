parsim sweep --merge tests/cli/sweep/data/empty-a2.csv tests/cli/sweep/data/empty-a1.csv --json
