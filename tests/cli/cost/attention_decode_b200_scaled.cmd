parsim cost --gpu b200 --op attention --phase decode --seqs 32 --context 4096 --heads 8 --kv-heads 1
