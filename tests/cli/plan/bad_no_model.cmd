parsim plan --tp 8
