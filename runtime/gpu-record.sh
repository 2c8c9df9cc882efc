#!/usr/bin/env bash
# One command on a bare GPU host: build parsim-record with the host's CUDA stack, run its GPU
# tests (each kernel against its CPU reference, the forward pass of a small model), record the
# reference set (runtime/record-reference.sh) and pack it into one archive.
#
#   runtime/gpu-record.sh            everything (about 10 minutes on one H100/H200)
#   QUICK=1 runtime/gpu-record.sh    the 10-run subset of the reference set
#
# Needs: nvcc (CUDA 13; CUDA_HOME or /usr/local/cuda or PATH), CUPTI and cuBLASLt (CUDA
# toolkit), NCCL: NCCL_ROOT, else the toolkit's, else a PyTorch env's nvidia-nccl wheel
# (site-packages/nvidia/nccl, found through python3). No SimGrid, libcsv, cJSON or cmocka.
# Output: build-runtime/, traces/<gpu>-.../ and traces/<gpu>-reference-<date>.tar.gz; a log of
# every step in gpu-record.log.
set -u
cd "$(dirname "$0")/.."
log=gpu-record.log
exec > >(tee "$log") 2>&1
step() { echo "== gpu-record: $* ($(date -u +%H:%M:%S))"; }

cuda=${CUDA_HOME:-}
[ -z "$cuda" ] && [ -x /usr/local/cuda/bin/nvcc ] && cuda=/usr/local/cuda
[ -z "$cuda" ] && command -v nvcc >/dev/null && cuda=$(dirname "$(dirname "$(command -v nvcc)")")
[ -n "$cuda" ] || { echo "gpu-record: no nvcc (set CUDA_HOME)"; exit 2; }
if [ -z "${NCCL_ROOT:-}" ] && [ ! -f "$cuda/include/nccl.h" ]; then
  NCCL_ROOT=$(python3 -c 'import nvidia.nccl, os; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null || true)
fi
[ -n "${NCCL_ROOT:-}" ] && export NCCL_ROOT && export LD_LIBRARY_PATH="$NCCL_ROOT/lib:${LD_LIBRARY_PATH:-}"
export LD_LIBRARY_PATH="$cuda/lib64:$cuda/lib:$cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}"
step "CUDA $cuda, NCCL ${NCCL_ROOT:-from the toolkit}"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || true

step "build"
cmake -S runtime -B build-runtime -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$cuda/bin/nvcc" \
      -DCUDAToolkit_ROOT="$cuda" -DPARSIM_WERROR=ON || exit 2
cmake --build build-runtime -j"$(nproc)" || exit 2
[ -x build-runtime/bin/parsim-record ] || { echo "gpu-record: parsim-record was not built (see the CMake line 'runtime: ...')"; exit 2; }

step "tests (kernels vs CPU references, forward pass, CPU-side tests)"
(cd build-runtime && ctest --output-on-failure)
tests=$?

step "reference recordings"
runtime/record-reference.sh build-runtime/bin/parsim-record traces
rec=$?
step "done: tests exit $tests, recordings exit $rec"
ls -la traces/*-reference-*.tar.gz 2>/dev/null
exit $((tests != 0 || rec != 0))
