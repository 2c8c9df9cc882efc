parsim trace frobnicate x
