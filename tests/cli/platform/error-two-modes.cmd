parsim platform --preset hgx-h100 --describe platforms/hgx-h100.xml
