#!/usr/bin/env bash
# install.prefix: installs the build into a temporary prefix and runs the installed binary from
# another directory, with presets given by name: platform, plan, cost, predict and sweep.
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
share=$prefix/share/parsim
for f in bin/parsim share/parsim/platforms/hgx-h200.xml share/parsim/platforms/hgx-h200.nccl.json \
         share/parsim/platforms/mesh8-h200.xml share/parsim/cost/h200-sxm.cost; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" || exit 1
unset PARSIM_DATA_DIR
parsim=$prefix/bin/parsim
# the preset resolves to the installed file, not to the source tree's
got=$("$parsim" platform --describe hgx-h200 | awk '$1 == "platform" {print $2}')
[ "$got" = "$share/platforms/hgx-h200.xml" ] || { echo "hgx-h200 resolved to '$got', expected $share/platforms/hgx-h200.xml"; exit 1; }
"$parsim" plan --model llama3.1-8b --platform mesh8-h200 --tp 2 >/dev/null || { echo "plan failed"; exit 1; }
"$parsim" cost --gpu h200-sxm --op gemm --m 16 --n 4096 --k 4096 >/dev/null || { echo "cost failed"; exit 1; }
# predict reads the installed platform, cost coefficients and NCCL calibration
inputs=$("$parsim" predict --model llama3.1-8b --platform hgx-h200 --batch 1 --isl 128 --osl 4 --scheduler static \
         --json | grep -o '"inputs":{[^}]*}') || { echo "predict failed"; exit 1; }
for want in "\"platform\":\"$share/platforms/hgx-h200.xml\"" "\"coefficients\":\"$share/cost/h200-sxm.cost\"" \
            "\"calibration\":\"$share/platforms/hgx-h200.nccl.json\""; do
  case $inputs in *"$want"*) ;; *) echo "predict inputs $inputs lack $want"; exit 1 ;; esac
done
"$parsim" sweep --model llama3.1-8b --platform hgx-h200 --gpus 2 --isl 128 --osl 4 --scheduler static \
  --csv sweep.csv --html report.html || { echo "sweep failed"; exit 1; }
[ "$(wc -l < sweep.csv)" -eq 7 ] || { echo "sweep.csv: $(wc -l < sweep.csv) lines, expected a header and 6 rows"; exit 1; }
echo "installed parsim finds its data in $share"
