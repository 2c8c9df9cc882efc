parsim replay --help
