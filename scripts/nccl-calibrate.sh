#!/usr/bin/env bash
# Regenerates the shipped NCCL calibration sidecars platforms/hgx-h100.nccl.json and
# platforms/hgx-h200.nccl.json from the third-party measurements in ../shared/data/nccl
# (provenance: ../shared/data/nccl/SOURCES.md). Usage: scripts/nccl-calibrate.sh [PARSIM_BIN]
#   H100: nccl-tests 2.29.2 curves from NVIDIA aiconfigurator (AIC; 2, 4, 8 GPUs, default
#         algorithm, one GPU per thread) for all_reduce, all_gather, reduce_scatter, alltoall,
#         plus Together AI's NCCL 2.26.2 ring-only (NCCL_ALGO=RING, NVLS off) 8-GPU curves run
#         with -g 8 (one thread drives 8 GPUs: the launch floor), plus the published NVLS peak
#         (480 GB/s busbw at 8 GiB, nccl-model.md finding 1: four runs, NCCL 2.18-2.29).
#         and the ring-only peak (368 GB/s at 8 GiB, finding 2, the Together run).
#   H200: the AIC H200 curves, plus the 480 GB/s peak (Azure ND H200 v5, same finding) and the
#         H100 ring-only peak of 368 GB/s: no ring-only H200 log is available and H200 has the
#         same NVLink4 (18 x 25 GB/s) and NVSwitch as H100 (nccl-model.md finding 1).
# Deterministic: running it twice gives byte-identical files.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bin/parsim}
cd "$root"
# Relative paths so that the command recorded in the sidecars is the same on every machine.
data=${PARSIM_SHARED_DATA:-../shared/data}/nccl
[ -d "$data" ] || { echo "nccl-calibrate: $data not found (set PARSIM_SHARED_DATA)" >&2; exit 77; }
for gpu in h100 h200; do
  args=()
  for n in 2 4 8; do
    args+=(--curve all_reduce:$n:auto:1=$data/${gpu}sxm-aic-nccl2.29.2-allreduce-n$n-half.csv)
    args+=(--curve all_gather:$n:auto:1=$data/${gpu}sxm-aic-nccl2.29.2-allgather-n$n-half.csv)
    args+=(--curve reduce_scatter:$n:auto:1=$data/${gpu}sxm-aic-nccl2.29.2-reducescatter-n$n-half.csv)
    args+=(--curve alltoall:$n:auto:1=$data/${gpu}sxm-aic-nccl2.29.2-alltoall-n$n-half.csv)
  done
  if [ "$gpu" = h100 ]; then
    args+=(--curve all_reduce:8:ring:8=$data/h100x8-together-ring-g8-nccl2.26.2-allreduce.csv)
    args+=(--curve all_gather:8:ring:8=$data/h100x8-together-ring-g8-nccl2.26.2-allgather.csv)
    args+=(--curve reduce_scatter:8:ring:8=$data/h100x8-together-ring-g8-nccl2.26.2-reducescatter.csv)
  fi
  "$bin" calibrate --platform platforms/hgx-$gpu.xml "${args[@]}" \
    --peak all_reduce:8:auto:8G:480 --peak all_reduce:8:ring:8G:368 -o platforms/hgx-$gpu.nccl.json
done
