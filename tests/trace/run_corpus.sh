#!/usr/bin/env bash
# Runs `parsim trace check` on every bad input of tests/trace/corpus/ (written by make_corpus.py):
# each file replaces the same-named file of the valid trace corpus/base/ in a scratch copy. Every
# case must exit 2 and print exactly the line given for it in corpus/EXPECTED (the scratch
# directory shown as TRACE), and base/ itself must pass, as must every good/*.json put in place of
# base/meta.json (a version 1 file, a shard emulation).
#   run_corpus.sh            check (ctest trace.corpus)
#   run_corpus.sh --print    print "case<TAB>message" for every case (to review and write EXPECTED)
set -u
src=${PARSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PARSIM_BIN:?PARSIM_BIN is not set}
corpus=$src/tests/trace/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" trace check "$corpus/base" >/dev/null || { echo "corpus/base does not pass"; fail=1; }
for f in "$corpus"/good/*.json; do
  rm -rf "$tmp/TRACE"
  cp -r "$corpus/base" "$tmp/TRACE"
  cp "$f" "$tmp/TRACE/meta.json"
  (cd "$tmp" && "$bin" trace check TRACE >/dev/null 2>"$tmp/err") ||
    { echo "FAIL good/$(basename "$f") is refused: $(cat "$tmp/err")"; fail=1; }
done
declare -A target=([activities]=activities.csv [comms]=comms.csv [ops]=ops.csv [meta]=meta.json)
n=0
for kind in activities comms ops meta; do
  for f in "$corpus/$kind"/*; do
    case_name=$kind/$(basename "$f")
    rm -rf "$tmp/TRACE"
    cp -r "$corpus/base" "$tmp/TRACE"
    cp "$f" "$tmp/TRACE/${target[$kind]}"
    (cd "$tmp" && "$bin" trace check TRACE >/dev/null 2>"$tmp/err")
    rc=$?
    msg=$(cat "$tmp/err")
    n=$((n + 1))
    if [ "${1:-}" = "--print" ]; then printf '%s\t%s\n' "$case_name" "$msg"; continue; fi
    want=$(awk -F'\t' -v c="$case_name" '$1 == c { print $2 }' "$corpus/EXPECTED")
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || [ -z "$want" ] || [ "$msg" != "$want" ]; then
      echo "FAIL $case_name: exit $rc, $lines line(s) on stderr"
      echo "  got:  $msg"
      echo "  want: ${want:-(no line in corpus/EXPECTED)}"
      fail=1
    fi
  done
done
[ "${1:-}" = "--print" ] || echo "$n bad inputs checked"
exit $fail
