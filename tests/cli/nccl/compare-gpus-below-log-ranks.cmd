parsim nccl --platform platforms/dgx-h100-x16.xml --compare tests/coll/logs/multinode-64gpu-allreduce.log --gpus 32 --predict
