cd $PARSIM_TMP && printf '\357\273\277op,m,n,k\r\ngemm,1,4096,4096\r\n' > q.csv && parsim cost --gpu h100-sxm --queries q.csv | cut -d, -f1-4,6
