parsim nccl --platform platforms/dgx-h100-x4.xml --compare tests/platform/multinode/aws-p5-x4-efa-allreduce.csv --op all_reduce -b 1M -e 1G
