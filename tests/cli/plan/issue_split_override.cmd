parsim plan --model llama3.1-405b --dtype fp8 --pp 8 --stage-layers 16,16,16,16,16,16,15,15 --gpu h200-sxm --json | grep -E '"(stage_layers|stage_first_layer|max_batch)"'
