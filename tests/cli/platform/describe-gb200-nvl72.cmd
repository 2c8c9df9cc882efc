parsim platform --describe platforms/gb200-nvl72.xml
