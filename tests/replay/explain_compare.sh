#!/usr/bin/env bash
# --explain compares the plan with every other tp x pp of the same GPUs by simulating them
# (sim/replay/compare.c: a worker process per plan, same model, platform, load and engine
# settings). Checks that each row of the comparison is exactly what a separate `parsim predict`
# of that plan gives (output tok/s and TPOT, as printed: 1 and 2 decimals), that this plan's row
# matches the main table, and that the verdict names the plan that really has the highest
# throughput. Llama-3.1-8B on 4 GPUs of hgx-h200, in flight, 64 requests in flight, 1024/64:
# the plans are TP4, TP2 x PP2 and PP4 (tp x pp = 4).
set -eu
bin=${PARSIM_BIN:?}
args="--model llama3.1-8b --platform platforms/hgx-h200.xml --batch 64 --isl 1024 --osl 64"
# shellcheck disable=SC2086
out=$("$bin" predict $args --tp 2 --pp 2 --explain)
fail=0
best_name="" best=0
for plan in "4 1 TP4" "2 2 TP2 x PP2" "1 4 PP4"; do
  set -- $plan
  tp=$1 pp=$2
  shift 2
  name="$*"
  # shellcheck disable=SC2086
  j=$("$bin" predict $args --tp "$tp" --pp "$pp" --json)
  want_tok=$(echo "$j" | sed -n 's/.*"output_tok_s":\([-0-9.e+]*\).*/\1/p' | awk '{ printf "%.1f", $1 }')
  want_tpot=$(echo "$j" | sed -n 's/.*"tpot_ms":\([-0-9.e+]*\).*/\1/p' | awk '{ printf "%.2f", $1 }')
  row=$(echo "$out" | awk -v n="$name" 'index($0, "  " n " ") == 1 || index($0, "  " n " *") == 1')
  got_tok=$(echo "$row" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
  got_tpot=$(echo "$row" | awk '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { n++; if (n == 4) { print $i; exit } } }')
  echo "$name: comparison row tok/s $got_tok TPOT $got_tpot; separate prediction $want_tok / $want_tpot"
  [ "$got_tok" = "$want_tok" ] && [ "$got_tpot" = "$want_tpot" ] || { echo "FAIL: $name's row is not its prediction"; fail=1; }
  if awk -v a="$want_tok" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$want_tok best_name=$name; fi
done
main_tok=$(echo "$out" | sed -n 's/^output tok\/s *\([0-9.]*\) total.*/\1/p')
self_tok=$(echo "$out" | awk 'index($0, "  TP2 x PP2 *") == 1 { print $5 }')
echo "this plan: main table $main_tok tok/s, its comparison row $self_tok"
[ "$main_tok" = "$self_tok" ] || { echo "FAIL: this plan's row differs from the main prediction"; fail=1; }
verdict=$(echo "$out" | grep "For throughput")
echo "$verdict"
case $verdict in
  *"TP2 x PP2 wins"*) [ "$best_name" = "TP2 x PP2" ] || fail=1 ;;
  *": $best_name gets"*) ;;
  *) echo "FAIL: the verdict does not name the best plan ($best_name)"; fail=1 ;;
esac
exit $fail
