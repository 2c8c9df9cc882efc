parsim platform --describe platforms/mesh8-h200.xml
