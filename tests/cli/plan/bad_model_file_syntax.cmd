parsim plan --model-file tests/workload/fixtures/bad-syntax-config.json
