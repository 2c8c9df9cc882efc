parsim platform --describe platforms
