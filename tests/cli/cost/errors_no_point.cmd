cd $PARSIM_TMP && printf "source,url,gpu,library,kernel,method,distribution,param,deterministic,batch,vocab,input_dtype,time_us,timing\n" > s.csv && parsim cost --gpu b200 --errors s.csv
