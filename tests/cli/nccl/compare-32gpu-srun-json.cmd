parsim nccl --platform platforms/dgx-h100-x4.xml --compare tests/coll/logs/srun-label-32gpu-reduce-scatter.log --json
