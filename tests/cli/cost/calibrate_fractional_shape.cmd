cd $PARSIM_TMP && printf "model,tp,op,dtype,m_tokens,n,k,time_us,reps,tflops\nllama3.1-8b,1,qkv_gemm,bf16,1,1.5,4096,16.2,50,3.10\n" > g.csv && parsim calibrate --ops g.csv --gpu h200-sxm -o out.cost
