#!/usr/bin/env bash
# The README's timeline picture, from a predicted timeline: Llama 3.1 405B fp8 as TP2 x PP4 on
# hgx-h200, a static batch of 8 (4 microbatches of 2), ISL 512, OSL 6 -- the prefill fills the
# 4-stage pipeline (the staircase and its bubbles), then decode steps cross the stages in turn;
# every layer's two TP all-reduces show under each GPU's kernels.
#   parsim predict --timeline  ->  scripts/timeline-svg.py (SVG)  ->  headless chromium (PNG)
# Usage: scripts/timeline-png.sh [PARSIM_BIN] [OUT.png]   (default docs/img/timeline-tp2pp4.png)
# Needs python3 and chromium (scripts/install-deps.sh installs chromium for the report tests).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bin/parsim}
out=${2:-$root/docs/img/timeline-tp2pp4.png}
command -v chromium >/dev/null || { echo "timeline-png: chromium not found" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
args="--model llama3.1-405b --dtype fp8 --tp 2 --pp 4 --platform platforms/hgx-h200.xml --scheduler static --batch 8 --isl 512 --osl 6"
# shellcheck disable=SC2086
"$bin" predict $args --timeline "$tmp/timeline.json" >"$tmp/prediction.txt"
python3 scripts/timeline-svg.py "$tmp/timeline.json" "$tmp/timeline.svg" \
  --title "Llama 3.1 405B fp8, TP2 x PP4 on hgx-h200: static batch 8 (4 microbatches), ISL 512, OSL 6 (parsim predict --timeline)"
height=$(sed -n 's/.*height="\([0-9]*\)" viewBox.*/\1/p' "$tmp/timeline.svg")
# a private profile, no GPU, no network: the same SVG gives the same picture
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
  --window-size=1200,"$height" --screenshot="$tmp/timeline.png" "file://$tmp/timeline.svg" >/dev/null 2>&1
mv "$tmp/timeline.png" "$out"
echo "wrote $out"
