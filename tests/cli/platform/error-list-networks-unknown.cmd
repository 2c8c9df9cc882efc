parsim platform --list-networks --network infiniband
