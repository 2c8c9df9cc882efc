parsim platform --describe platforms/pcie8-h100.xml
