parsim sweep --merge tests/cli
