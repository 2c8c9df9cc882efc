#!/usr/bin/env bash
# Runs one CLI case, SimGrid .tesh style. A case is tests/cli/<area>/<name>.cmd holding one shell
# command line in which `parsim` means the binary under test; beside it:
#   <name>.out  expected stdout (required)
#   <name>.rc   expected exit code (default 0)
#   <name>.err  expected stderr (optional; compared exactly when present)
#   <name>.tol  optional: a relative tolerance for numbers, first field, then a comment saying why
#               (which numbers vary and by how much). Without it stdout must match byte for byte.
# The command runs under `set -o pipefail`: its exit code is the last failing one of a pipeline,
# so a binary that prints and then exits non-zero fails a piped case (tests/cli_runner checks it).
# With --bless first, the case's .out (and .err when it exists, and .rc) are rewritten from this
# run instead (scripts/bless-cli-tests.sh).
# Exit 0 = pass, 1 = fail, 77 = skip (the command printed SKIP: on stderr and exited 77).
set -u
bless=0
if [ "${1:-}" = --bless ]; then bless=1; shift; fi
case_file=$1
base=${case_file%.cmd}
bin=${PARSIM_BIN:?PARSIM_BIN is not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmd=$(cat "$case_file")
parsim() { "$bin" "$@"; }
export -f parsim
export bin
export PARSIM_TMP="$tmp"
# pipefail: in "parsim ... | grep X" a parsim that printed and then failed must fail the case.
bash -c "set -o pipefail; parsim() { \"\$bin\" \"\$@\"; }; $cmd" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 77 ] && { cat "$tmp/err"; exit 77; }
if [ "$bless" -eq 1 ]; then
  # scripts/bless-cli-tests.sh: record what the current binary does (same run as a check).
  cp "$tmp/out" "$base.out"
  if [ -f "$base.err" ]; then cp "$tmp/err" "$base.err"; fi
  if [ "$rc" -ne 0 ]; then echo "$rc" > "$base.rc"; else rm -f "$base.rc"; fi
  exit 0
fi
want_rc=0
[ -f "$base.rc" ] && want_rc=$(cat "$base.rc")
fail=0
if [ "$rc" -ne "$want_rc" ]; then
  echo "exit code $rc, expected $want_rc"; fail=1
fi
if [ -f "$base.tol" ]; then
  tol=$(awk 'NR==1{print $1}' "$base.tol")
  if ! awk -v tol="$tol" '
      function isnum(x) { return x ~ /^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ }
      NR==FNR { want[FNR]=$0; nwant=FNR; next }
      { got[FNR]=$0; ngot=FNR }
      END {
        if (ngot != nwant) { printf "line count %d, expected %d\n", ngot, nwant; exit 1 }
        for (i = 1; i <= nwant; i++) {
          nw = split(want[i], w, /[ \t,:]+/); ng = split(got[i], g, /[ \t,:]+/)
          if (nw != ng) { printf "line %d differs:\n-%s\n+%s\n", i, want[i], got[i]; exit 1 }
          for (k = 1; k <= nw; k++) {
            if (isnum(w[k]) && isnum(g[k])) {
              d = w[k] - g[k]; if (d < 0) d = -d; m = w[k] < 0 ? -w[k] : w[k]
              if (d > tol * m + 1e-12) { printf "line %d field %d: %s vs %s (tol %s)\n", i, k, g[k], w[k], tol; exit 1 }
            } else if (w[k] != g[k]) { printf "line %d differs:\n-%s\n+%s\n", i, want[i], got[i]; exit 1 }
          }
        }
      }' "$base.out" "$tmp/out"; then fail=1; fi
else
  if ! diff -u "$base.out" "$tmp/out"; then fail=1; fi
fi
if [ -f "$base.err" ] && ! diff -u "$base.err" "$tmp/err"; then fail=1; fi
if [ "$fail" -ne 0 ]; then
  echo "--- command: $cmd"; echo "--- stderr:"; cat "$tmp/err"
fi
exit $fail
