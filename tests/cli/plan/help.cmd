parsim plan --help
