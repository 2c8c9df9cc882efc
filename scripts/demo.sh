#!/usr/bin/env bash
# The headline what-if study: Llama 3.1 405B in fp8 on an HGX H200, TP8 vs PP8 vs TP4xPP2.
# Until the replay exists this runs `parsim plan` (memory and work per step) for each layout.
set -eu
parsim=${1:-build/bin/parsim}
for layout in "--tp 8 --pp 1" "--tp 1 --pp 8" "--tp 4 --pp 2"; do
  echo "== parsim plan --model llama3.1-405b --dtype fp8 $layout --gpu h200-sxm --batch max --isl 2048 --osl 128"
  # shellcheck disable=SC2086
  "$parsim" plan --model llama3.1-405b --dtype fp8 $layout --gpu h200-sxm --batch max --isl 2048 --osl 128
  echo
done
