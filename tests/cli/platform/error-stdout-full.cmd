parsim platform --preset hgx-h100 > /dev/full
