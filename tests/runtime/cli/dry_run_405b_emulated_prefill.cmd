parsim-record --model llama3.1-405b --tp 8 --pp 8 --batch 8 --isl 2048 --phase prefill --dtype fp8 --emulate-rank 11 --layers 1 --microbatches 1 --dry-run
