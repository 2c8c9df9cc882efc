parsim platform --list
