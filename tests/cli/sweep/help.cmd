parsim sweep --help | head -1
