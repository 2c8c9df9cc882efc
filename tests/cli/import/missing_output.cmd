parsim import kineto x.json
