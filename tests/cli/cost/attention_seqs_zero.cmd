parsim cost --gpu h200-sxm --op attention --seqs 0 --context 4096 --heads 8 --kv-heads 1
