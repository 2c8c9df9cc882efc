parsim trace check --help
