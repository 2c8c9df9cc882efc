parsim predict --help
