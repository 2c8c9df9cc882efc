parsim import nsys -o t
