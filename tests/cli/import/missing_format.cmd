parsim import -o t
