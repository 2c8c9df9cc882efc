parsim trace check ""
