parsim predict --tp 2 --platform platforms/hgx-h200.xml --scheduler static
