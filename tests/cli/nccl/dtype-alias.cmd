parsim nccl --platform platforms/hgx-h200.xml --predict -d float -b 1M -e 1M | grep -v calibration
