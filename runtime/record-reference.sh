#!/usr/bin/env bash
# The reference recordings of parsim on one Hopper GPU (H100 or H200), sized to run in a few
# minutes and to come back as one archive. Issue 13 lists the set:
#   llama3.1-8b  TP1 (the whole model) and emulated ranks of TP2, TP4, TP8, PP2, PP4;
#   llama3.1-70b and llama3.1-405b: emulated ranks of TP8 and of PP8 with a few layers;
#   prefill (ISL 512, 2048) and decode (batch 1, 8, 64; KV 512 .. 4096); bf16 and fp8.
# Each trace goes to traces/<gpu>-<model>-<dtype>-<plan>[-rank<R>]-<phase>-b<batch>-<len>/
# (len = ISL for prefill, KV context for decode), then all of them into
# traces/<gpu>-reference-<date>.tar.gz.
#
#   runtime/record-reference.sh [PARSIM_RECORD] [OUT_DIR]
#     PARSIM_RECORD  the recorder (default build-runtime/bin/parsim-record)
#     OUT_DIR        where the trace directories go (default traces)
#   QUICK=1          a 10-run subset (one of each kind), for a short GPU lease
#   DRY=1            print the commands (and check every plan with --dry-run) without a GPU
# Exits non-zero if any recording fails; the others are still recorded and archived.
set -u
rec=${1:-build-runtime/bin/parsim-record}
out=${2:-traces}
[ -x "$rec" ] || { echo "record-reference: no recorder at $rec (build it: cmake -S runtime -B build-runtime && cmake --build build-runtime -j)" >&2; exit 2; }
mkdir -p "$out"

gpu=h100
if [ "${DRY:-0}" != 1 ]; then
  name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  case "$name" in
    *H200*) gpu=h200 ;;
    *H100*) gpu=h100 ;;
    *B200*) gpu=b200 ;;
    "") echo "record-reference: nvidia-smi finds no GPU" >&2; exit 2 ;;
    *) gpu=$(echo "$name" | tr 'A-Z ' 'a-z-' | sed 's/^nvidia-//') ;;
  esac
fi
fabric="one ${name:-$gpu} GPU"
failed=0
runs=0

# record MODEL DTYPE TP PP RANK|- PHASE BATCH LEN [LAYERS]
record() {
  local model=$1 dtype=$2 tp=$3 pp=$4 rank=$5 phase=$6 batch=$7 len=$8 layers=${9:-}
  local dir="$out/$gpu-$model-$dtype-tp${tp}pp${pp}"
  local args=(--model "$model" --dtype "$dtype" --tp "$tp" --pp "$pp" --batch "$batch" --isl "$len" --phase "$phase"
              --warmup 3 --iters 5 --fabric "$fabric")
  if [ "$rank" != - ]; then dir="$dir-rank$rank"; args+=(--emulate-rank "$rank"); fi
  [ -n "$layers" ] && args+=(--layers "$layers")
  dir="$dir-$phase-b$batch-$len"
  # decode: isl is the context already cached (the step attends to isl + 1 tokens)
  runs=$((runs + 1))
  if [ "${DRY:-0}" = 1 ]; then
    echo "$rec ${args[*]} -o $dir"
    "$rec" "${args[@]}" --dry-run >/dev/null || failed=$((failed + 1))
    return
  fi
  local t0=$SECONDS
  if "$rec" "${args[@]}" -o "$dir" --overwrite; then
    echo "record-reference: $dir ($((SECONDS - t0)) s)"
  else
    echo "record-reference: FAILED $dir" >&2
    failed=$((failed + 1))
  fi
}

if [ "${QUICK:-0}" = 1 ]; then
  record llama3.1-8b bf16 1 1 - prefill 1 2048
  record llama3.1-8b bf16 1 1 - decode 8 1024
  record llama3.1-8b fp8 1 1 - decode 64 4096
  record llama3.1-8b bf16 2 1 0 decode 8 1024
  record llama3.1-8b bf16 8 1 0 decode 8 1024
  record llama3.1-8b bf16 1 4 1 decode 8 1024
  record llama3.1-70b fp8 8 1 0 decode 8 1024 4
  record llama3.1-70b bf16 1 8 3 prefill 1 2048 2
  record llama3.1-405b fp8 8 1 0 decode 8 1024 2
  record llama3.1-405b fp8 1 8 3 prefill 1 512 1
else
  for dtype in bf16 fp8; do
    # 8B on one GPU, the whole model
    for isl in 512 2048; do record llama3.1-8b $dtype 1 1 - prefill 1 $isl; done
    for batch in 1 8 64; do for kv in 512 4096; do record llama3.1-8b $dtype 1 1 - decode $batch $kv; done; done
    # 8B: one rank of TP2/4/8 (rank 0) and of PP2 (the last stage) / PP4 (a middle stage)
    for plan in "2 1 0" "4 1 0" "8 1 0" "1 2 1" "1 4 1"; do
      set -- $plan
      record llama3.1-8b $dtype "$1" "$2" "$3" prefill 1 2048
      record llama3.1-8b $dtype "$1" "$2" "$3" decode 8 1024
    done
    # 70B and 405B: one rank of TP8 and of PP8 (stage 3), a few layers
    record llama3.1-70b $dtype 8 1 0 prefill 1 2048 4
    record llama3.1-70b $dtype 8 1 0 decode 8 1024 4
    record llama3.1-70b $dtype 1 8 3 prefill 1 2048 2
    record llama3.1-70b $dtype 1 8 3 decode 8 1024 2
    record llama3.1-405b $dtype 8 1 0 prefill 1 2048 2
    record llama3.1-405b $dtype 8 1 0 decode 8 1024 2
    record llama3.1-405b $dtype 1 8 3 prefill 1 512 1
    record llama3.1-405b $dtype 1 8 3 decode 8 1024 1
  done
fi

if [ "${DRY:-0}" = 1 ]; then
  echo "record-reference: $runs plans checked with --dry-run, $failed refused"
  exit $((failed > 0))
fi
archive="$out/$gpu-reference-$(date -u +%Y%m%d-%H%M).tar.gz"
tar czf "$archive" -C "$out" $(cd "$out" && ls -d "$gpu"-llama* 2>/dev/null)
echo "record-reference: $runs runs, $failed failed; archive $archive"
exit $((failed > 0))
