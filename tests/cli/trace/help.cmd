parsim trace --help
