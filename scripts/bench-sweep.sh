#!/usr/bin/env bash
# Sweep speed (issue 12): every 8-GPU layout of Llama 3.1 405B and 70B in fp8 on the seven shipped
# 8-GPU-or-more platforms, both scenarios, ISL 2048 / OSL 128, default requests, with --jobs = CPUs.
# Prints cases, wall seconds and cases per second; the goal is under 60 s on 2 cores.
set -eu
parsim=${1:-build/bin/parsim}
platforms=hgx-h100,hgx-h200,mesh8-h200,pcie8-h100,hgx-b200,dgx-h100-x2,gb200-nvl72
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total_cases=0
start=$(date +%s.%N)
for model in llama3.1-405b llama3.1-70b; do
  "$parsim" sweep --model "$model" --dtype fp8 --gpus 8 --platform "$platforms" --isl 2048 --osl 128 \
    ${PARSIM_SWEEP_FLAGS:-} --csv "$tmp/$model.csv"
  total_cases=$((total_cases + $(wc -l < "$tmp/$model.csv") - 1))
done
end=$(date +%s.%N)
awk -v n="$total_cases" -v s="$start" -v e="$end" -v cpus="$(nproc)" 'BEGIN {
  printf "sweep: %d cases (2 models x 7 platforms x layouts x 2 scenarios) in %.1f s on %d CPUs: %.1f cases/s (goal: < 60 s on 2 cores)\n", n, e - s, cpus, n / (e - s) }'
