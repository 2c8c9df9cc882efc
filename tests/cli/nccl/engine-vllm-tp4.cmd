parsim nccl --platform platforms/hgx-h100.xml --op all_reduce --algo vllm --gpus 4 -b 128K -e 64M -f 4 # TP4: 1stage, 2stage from 512 KiB, torch symmetric-memory two-shot from 8 MiB, NCCL from 32 MiB
