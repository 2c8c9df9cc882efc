#!/usr/bin/env bash
# End-to-end accuracy against published TensorRT-LLM serving figures (issue 11, "Accuracy"):
# scripts/e2e-validation.sh runs `parsim predict` with each measurement's settings
# (docs/data/e2e-serving.csv and .md); this test runs the rows that finish in a few seconds each
# (every H200 row but the four longest decodes, which docs/validation.md shows, and the four
# prefill-bound H100 rows) and the two
# TP-vs-PP ratios, and holds them to +-20 %.
# Why 20 %: the predictions' own error bar is 8-11 % (error_pct: the cost model's held-out op
# errors and the NCCL model's validated error), and NVIDIA's own figures for the one case that
# three sources measured (405B TP8 on 8 x H200, 2048/128: 456, 463.1, 506 tok/s) spread by 11 %
# (engine versions, checkpoints, KV fraction 0.90 or 0.95): about 10 + 11 ~ 20.
# H100: the prefill-bound rows are held too (-9 to -12 % since the h100-sxm decode attention is
# priced as the serving engines' split-KV kernel, scaled from the H200 data); the H100 decode-bound
# rows (1000/1000) take long and are shown in docs/validation.md, not run here.
# These figures are tests, never fitting targets.
set -eu
bin=${PARSIM_BIN:?}
tsv=$(mktemp)
trap 'rm -f "$tsv"' EXIT
E2E_ROWS='h200-(2048-128|5000-500)|70b-h200|8b-h200-(2048-128|5000-500|1000-1000)|pp-blog|h100-(2048-128|5000-500)' E2E_TSV="$tsv" \
  scripts/e2e-validation.sh "$bin" - >/dev/null
[ "$(wc -l <"$tsv")" -ge 18 ] || { echo "FAIL: expected at least 18 rows, got $(wc -l <"$tsv")"; exit 1; }
awk -F'\t' '{ ok = $5 >= -0.20 && $5 <= 0.20; printf "%-48s %-14s measured %-8s predicted %-10s error %+6.1f %% %s\n",
                 $1, $2, $3, $4, 100 * $5, ok ? "" : "  <-- outside +-20 %"; bad += !ok }
            END { exit bad > 0 }' "$tsv"
