printf "op,m,n,k\ngemm,64,64,64\ngemm,0,64,64\n" > $PARSIM_TMP/q.csv && parsim cost --gpu h200-sxm --queries $PARSIM_TMP/q.csv -o $PARSIM_TMP/out.csv 2>&1 | sed "s|$PARSIM_TMP/||"; ls $PARSIM_TMP
