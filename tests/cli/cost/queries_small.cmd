printf "op,m,n,k,tokens,width,launch\ngemm,8,4096,4096,,,graph\nrmsnorm,,,,8,4096,eager\nsilu_mul,,,,8,14336,\n" > $PARSIM_TMP/q.csv; parsim cost --gpu h100-sxm --queries $PARSIM_TMP/q.csv
