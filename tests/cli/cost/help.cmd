parsim cost --help
