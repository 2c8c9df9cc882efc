cd $PARSIM_TMP && printf 'op,m,n,k\ngemm,1,4096,4096\n' > q.csv && parsim cost --gpu h100-sxm --queries q.csv -o a.csv && parsim cost --gpu h100-sxm --queries a.csv
