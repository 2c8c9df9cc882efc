parsim replay no-such-trace --platform platforms/hgx-h200.xml
