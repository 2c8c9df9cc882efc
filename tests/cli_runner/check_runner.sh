#!/usr/bin/env bash
# Checks run-cli-test.sh with a fake binary: a piped case whose binary prints the expected output
# and then exits 3 must FAIL (before pipefail it passed: the pipeline's status was grep's), the
# same case with a binary that exits 0 must pass (so the check can tell the two apart), and a
# wrong stdout must fail.
set -u
runner=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\necho "line one"\necho "line two"\nexit "${FAKE_RC:-0}"\n' > "$tmp/fake"
chmod +x "$tmp/fake"
echo 'parsim | grep two' > "$tmp/piped.cmd"
echo 'line two' > "$tmp/piped.out"
echo 'parsim' > "$tmp/plain.cmd"
printf 'line one\nline 2\n' > "$tmp/plain.out"
fail=0
expect() { # expect WANT_STATUS RC CASE
  FAKE_RC=$2 PARSIM_BIN="$tmp/fake" "$runner" "$tmp/$3.cmd" >"$tmp/log" 2>&1
  got=$?
  if [ "$got" -ne "$1" ]; then
    echo "case $3 with a binary exiting $2: runner returned $got, expected $1"; cat "$tmp/log"; fail=1
  fi
}
expect 1 3 piped   # prints the right lines, then fails: the case must fail
expect 0 0 piped   # the same, succeeding: passes
expect 1 0 plain   # wrong stdout: fails
exit $fail
