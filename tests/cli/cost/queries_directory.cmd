parsim cost --gpu h100-sxm --queries platforms
