parsim platform --help
