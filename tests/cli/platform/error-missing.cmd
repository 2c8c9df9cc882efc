parsim platform --describe no-such-platform.xml
