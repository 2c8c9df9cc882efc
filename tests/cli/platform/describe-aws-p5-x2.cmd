parsim platform --describe platforms/aws-p5-x2.xml
