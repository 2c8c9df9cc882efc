parsim import nsys a.sqlite b.sqlite -o t
