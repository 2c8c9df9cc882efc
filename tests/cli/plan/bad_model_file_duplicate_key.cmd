parsim plan --model-file tests/workload/fixtures/duplicate-key-config.json
