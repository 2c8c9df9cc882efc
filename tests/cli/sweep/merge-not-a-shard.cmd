parsim sweep --merge tests/cli/sweep/data/empty-a1.csv README.md
