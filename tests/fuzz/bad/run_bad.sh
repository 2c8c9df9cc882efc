#!/usr/bin/env bash
# The bad-input corpus of the platform loader and of the calibration-sidecar reader (written by
# make_bad.py): every bad/platform/* file given to `parsim platform --describe`, every
# bad/sidecar/* file given to `parsim nccl --calibration`, must exit 2 and print exactly the one
# line bad/EXPECTED gives for it; the valid files they were made from must pass.
#   run_bad.sh            check (ctest platform.bad_corpus)
#   run_bad.sh --print    print "case<TAB>message" for every case (to review and write EXPECTED)
set -u
src=${PARSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
bin=${PARSIM_BIN:?PARSIM_BIN is not set}
here=$src/tests/fuzz/bad
cd "$here" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" platform --describe ../corpus/platform_load/ib-2x2.xml >/dev/null || { echo "the base platform does not pass"; fail=1; }
"$bin" nccl --platform "$src/platforms/hgx-h100.xml" --calibration minimal.nccl.json --op all_reduce -b 8 -e 8 >/dev/null ||
  { echo "minimal.nccl.json does not pass"; fail=1; }
n=0
for f in platform/* sidecar/*; do
  case $f in
    platform/*) "$bin" platform --describe "$f" >/dev/null 2>"$tmp/err" ;;
    sidecar/*) "$bin" nccl --platform "$src/platforms/hgx-h100.xml" --calibration "$f" --op all_reduce \
                 -b 8 -e 8 >/dev/null 2>"$tmp/err" ;;
  esac
  rc=$?
  msg=$(cat "$tmp/err")
  n=$((n + 1))
  if [ "${1:-}" = "--print" ]; then printf '%s\t%s\n' "$f" "$msg"; continue; fi
  want=$(awk -F'\t' -v c="$f" '$1 == c { print $2 }' EXPECTED)
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || [ -z "$want" ] || [ "$msg" != "$want" ]; then
    echo "FAIL $f: exit $rc, $lines line(s) on stderr"
    echo "  got:  $msg"
    echo "  want: ${want:-(no line in EXPECTED)}"
    fail=1
  fi
done
[ "${1:-}" = "--print" ] || echo "$n bad inputs checked"
exit $fail
