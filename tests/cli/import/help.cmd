parsim import --help
