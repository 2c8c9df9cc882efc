parsim platform --describe platforms/hgx-h100.xml
