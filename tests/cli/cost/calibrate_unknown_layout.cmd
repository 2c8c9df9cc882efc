cd $PARSIM_TMP && printf "a,b\n1,2\n" > x.csv && parsim calibrate --ops x.csv --gpu h200-sxm -o out.cost; echo rc=$?; test -e out.cost || echo "no out.cost"
