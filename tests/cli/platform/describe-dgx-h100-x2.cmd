parsim platform --describe platforms/dgx-h100-x2.xml
