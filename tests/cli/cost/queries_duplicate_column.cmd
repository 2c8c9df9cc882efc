cd $PARSIM_TMP && printf 'op,m,n,k,m\ngemm,1,4096,4096,2048\n' > q.csv && parsim cost --gpu h100-sxm --queries q.csv
