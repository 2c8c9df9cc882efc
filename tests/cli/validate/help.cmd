parsim validate --help
