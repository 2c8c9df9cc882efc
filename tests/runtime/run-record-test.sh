#!/usr/bin/env bash
# Runs one parsim-record CLI case (tests/runtime/cli/<name>.cmd), as tests/cli/run-cli-test.sh
# does for parsim: the .cmd holds one command line in which `parsim-record` is the binary under
# test; <name>.out is the expected stdout, <name>.rc the exit code (default 0), <name>.err the
# expected stderr (optional). Exit 0 pass, 1 fail, 77 skip (the command printed SKIP: and exited 77).
set -u
case_file=$1
base=${case_file%.cmd}
bin=${PARSIM_RECORD_BIN:?PARSIM_RECORD_BIN is not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export bin PARSIM_TMP="$tmp"
bash -o pipefail -c "parsim-record() { \"\$bin\" \"\$@\"; }; $(cat "$case_file")" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 77 ] && { cat "$tmp/err"; exit 77; }
want_rc=0
[ -f "$base.rc" ] && want_rc=$(cat "$base.rc")
fail=0
[ "$rc" -eq "$want_rc" ] || { echo "exit code $rc, expected $want_rc"; fail=1; }
diff -u "$base.out" "$tmp/out" || fail=1
if [ -f "$base.err" ]; then diff -u "$base.err" "$tmp/err" || fail=1; fi
if [ "$fail" -ne 0 ]; then echo "--- command: $(cat "$case_file")"; echo "--- stderr:"; cat "$tmp/err"; fi
exit $fail
