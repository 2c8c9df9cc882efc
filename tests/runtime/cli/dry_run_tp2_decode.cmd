parsim-record --model llama3.1-8b --tp 2 --batch 4 --isl 1024 --layers 1 --dry-run
