#!/usr/bin/env bash
# Re-blesses CLI golden cases from the current binary, so that a change that moves numbers (the
# cost model, a calibration) shows up as a reviewable diff of the expected outputs, never as hand
# edits:
#   scripts/bless-cli-tests.sh                    every case under tests/cli/
#   scripts/bless-cli-tests.sh tests/cli/plan     the cases of one area
#   scripts/bless-cli-tests.sh tests/cli/plan/help.cmd ...
# Each case runs exactly as ctest runs it (tests/cli/run-cli-test.sh --bless: same shell, pipefail,
# PARSIM_TMP, environment); .out is rewritten, .err when the case has one, .rc when the exit code
# is not 0. A case with a .tol keeps it, but its .out takes this run's numbers: bless only after
# a change meant to move them. Then
# `git diff --stat tests/cli` shows what moved. PARSIM_BIN defaults to build/bin/parsim.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PARSIM_BIN=${PARSIM_BIN:-$root/build/bin/parsim}
export PARSIM_SOURCE_DIR=${PARSIM_SOURCE_DIR:-$root}
export PARSIM_SHARED_DATA=${PARSIM_SHARED_DATA:-$(cd "$root/.." && pwd)/shared/data}
[ -x "$PARSIM_BIN" ] || { echo "bless: $PARSIM_BIN is not built (cmake --build build)" >&2; exit 2; }
[ $# -gt 0 ] || set -- tests/cli
cases=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    while IFS= read -r c; do cases+=("$c"); done < <(find "$arg" -name '*.cmd' | LC_ALL=C sort)
  elif [ -f "$arg" ]; then
    cases+=("$arg")
  else
    echo "bless: $arg: no such case or folder" >&2; exit 2
  fi
done
blessed=0 skipped=0
for c in "${cases[@]}"; do
  set +e
  tests/cli/run-cli-test.sh --bless "$c" >/dev/null 2>&1
  rc=$?
  set -e
  if [ "$rc" -eq 77 ]; then skipped=$((skipped + 1)); continue; fi
  [ "$rc" -eq 0 ] || { echo "bless: $c: the runner failed ($rc)" >&2; exit 1; }
  blessed=$((blessed + 1))
done
echo "blessed $blessed case(s), skipped $skipped (missing data); review: git diff --stat tests/cli"
git diff --stat -- tests/cli || true
