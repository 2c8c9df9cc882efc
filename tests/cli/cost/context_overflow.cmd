parsim cost --gpu h200-sxm --op attention --phase decode --seqs 8 --context 99999999999999999999 --heads 8 --kv-heads 1
