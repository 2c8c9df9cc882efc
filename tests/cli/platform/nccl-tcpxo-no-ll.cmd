parsim nccl --platform platforms/gcp-a3-mega-x2.xml --op all_reduce --gpus 16 -b 8 -e 8M -f 64 --predict | grep -v "^# *$"
