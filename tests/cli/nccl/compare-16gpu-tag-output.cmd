parsim nccl --platform platforms/dgx-h100-x2.xml --compare tests/coll/logs/mpirun-tag-output-16gpu.log
