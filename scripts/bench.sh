#!/usr/bin/env bash
# Runs every benchmark executable (bench/*.c -> BUILD/bin/bench_*) and prints what each reports.
# Benchmarks report ratios and events/s; they are never part of `make test`.
set -eu
build=${1:-build}
found=0
for b in "$build"/bin/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "== $(basename "$b")"
  "$b"
  echo
done
[ "$found" -eq 1 ] || echo "bench: no benchmarks built in $build/bin"
# The sweep benchmark needs `parsim sweep` (scripts/bench-sweep.sh).
if "$build/bin/parsim" sweep --help >/dev/null 2>&1; then
  echo "== sweep"
  scripts/bench-sweep.sh "$build/bin/parsim"
fi
