parsim-record --model-file config.json --batch 8 --dry-run; echo "rc $?"; parsim-record --model llama3.1-8b --platform hgx-h100 --batch 8 --dry-run; echo "rc $?"
