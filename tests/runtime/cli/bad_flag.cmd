parsim-record --model llama3.1-8b --batch 8 --tp-size 2 --dry-run
