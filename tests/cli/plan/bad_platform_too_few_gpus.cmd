parsim plan --model llama3.1-405b --dtype fp8 --tp 8 --pp 2 --platform platforms/hgx-h200.xml
