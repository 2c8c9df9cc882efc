parsim platform --preset hgx-h999
