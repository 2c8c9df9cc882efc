parsim nccl --platform platforms/mesh8-h200.xml --op all_reduce --algo vllm -b 64K -e 128M -f 8 --json # vLLM on the switchless mesh: 1stage, then NCCL (no NVSwitch for multimem), fallbacks say why
