parsim trace
