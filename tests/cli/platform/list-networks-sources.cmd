parsim platform --list-networks --network ib-ndr
