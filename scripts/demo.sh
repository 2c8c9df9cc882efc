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
echo "== communication per decode step on the shipped platforms (parsim nccl, simulated in SimGrid)"
echo "   each TP group's all-reduces one after another, and one PP hand-off of a microbatch while"
echo "   every stage sends at once; no overlap with compute (that is the replay's job)"
printf '%-10s %-12s %14s %16s %14s\n' layout platform allreduce_us TP_per_step_ms PP_send_us
# nccl_time_us PLATFORM OP GPUS BYTES: simulated time of one call (nccl-tests size semantics).
nccl_time_us() {
  "$parsim" nccl --platform "platforms/$1.xml" --op "$2" --gpus "$3" -b "$4" -e "$4" --json |
    sed -n 's/.*"time_us":\([0-9.e+]*\).*/\1/p' | awk '{ printf "%.1f", $1 }'
}
for layout in "8 1" "1 8" "4 2"; do
  set -- $layout
  tp=$1 pp=$2
  json=$("$parsim" plan $common --tp "$tp" --pp "$pp" --json)
  # decode_first_step counters: collectives are counted once per group, hand-offs once each.
  field() { echo "$json" | awk -v key="\"$1\":" '/"decode_first_step"/ { in_step = 1 } in_step && $1 == key { gsub(/[^0-9.e+]/, "", $2); print $2; exit }'; }
  ar_count=$(field allreduce_count) ar_bytes=$(field allreduce_bytes)
  p2p_count=$(field p2p_count) p2p_bytes=$(field p2p_bytes)
  for platform in hgx-h200 mesh8-h200; do
    ar_us=- tp_ms=- pp_us=-
    if [ "$tp" -gt 1 ] && [ "$ar_count" -gt 0 ]; then
      ar_us=$(nccl_time_us "$platform" all_reduce "$tp" $((ar_bytes / ar_count)))
      tp_ms=$(awk -v t="$ar_us" -v n="$ar_count" -v g="$pp" 'BEGIN { printf "%.3f", t * n / g / 1000 }')
    fi
    if [ "$pp" -gt 1 ] && [ "$p2p_count" -gt 0 ]; then
      pp_us=$(nccl_time_us "$platform" sendrecv "$pp" $((p2p_bytes / p2p_count)))
    fi
    printf '%-10s %-12s %14s %16s %14s\n' "TP${tp}xPP${pp}" "$platform" "$ar_us" "$tp_ms" "$pp_us"
  done
done
echo
echo "TP pays its all-reduces on every layer; PP pays one small hand-off per stage and microbatch."
echo "Without a switch (mesh8-h200: one 64 GB/s link per GPU pair instead of 450 GB/s into NVSwitch)"
echo "each hand-off and each small TP group's all-reduce is slower. The replay (time per step with"
echo "compute: TP lowers latency, PP raises throughput) is the next step."
