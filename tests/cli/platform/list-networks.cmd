parsim platform --list-networks
