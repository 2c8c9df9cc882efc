parsim trace export --help
