#!/usr/bin/env bash
# The headline what-if study: Llama 3.1 405B in fp8 on an HGX H200, TP8 vs PP8 vs TP4xPP2.
# Until the replay exists this runs `parsim plan` (memory per GPU, max batch, work per step) for
# each layout; the time per step (latency, throughput) needs the replay, which is not built yet.
set -eu
parsim=${1:-build/bin/parsim}
common="--model llama3.1-405b --dtype fp8 --gpu h200-sxm --batch max --isl 2048 --osl 128"
for layout in "--tp 8 --pp 1" "--tp 1 --pp 8" "--tp 4 --pp 2"; do
  echo "== parsim plan $common $layout"
  # shellcheck disable=SC2086
  "$parsim" plan $common $layout
  echo
done
echo "== summary (per GPU: weights, KV bytes per token; max batch per replica)"
printf '%-10s %12s %12s %10s\n' layout weights_GB KV_B/token max_batch
for layout in "--tp 8 --pp 1" "--tp 1 --pp 8" "--tp 4 --pp 2"; do
  # shellcheck disable=SC2086
  "$parsim" plan $common $layout --json | awk -v name="$(echo "$layout" | tr -d ' -' | sed 's/tp/TP/;s/pp/xPP/')" '
    /"weights_bytes_per_gpu"/ { gsub(/[^0-9.e+]/, "", $2); w = $2 }
    /"kv_bytes_per_token_per_gpu"/ { gsub(/[^0-9.e+]/, "", $2); kv = $2 }
    /"max_batch"/ { gsub(/[^0-9]/, "", $2); mb = $2 }
    END { printf "%-10s %12.2f %12d %10d\n", name, w / 1e9, kv, mb }'
done
echo
echo "The replay (time per step on the simulated platform: TP lowers latency, PP raises throughput)"
echo "is not yet built; parsim plan above gives the memory and the work each layout must do."
