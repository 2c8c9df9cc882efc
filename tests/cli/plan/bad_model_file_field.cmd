parsim plan --model-file tests/workload/fixtures/string-hidden-config.json
