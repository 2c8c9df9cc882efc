#!/usr/bin/env bash
# Runs `parsim nccl --compare` on every derived multi-node / NVLS-forced curve of this folder
# against the platform that describes its system, and prints one line per curve: the median
# |time error| at sizes >= 1 MiB and < 1 MiB, and the largest |error| at any size.
#   compare.sh [PARSIM]            PARSIM defaults to build/bin/parsim; run from the source root
#   compare.sh --rows [PARSIM]     also print the per-size rows
#   compare.sh --check [PARSIM]    exit 1 when a median or a max exceeds its bound (ctest
#                                  platform.multinode)
#   compare.sh --markdown [PARSIM] the table of docs/validation.md "Multi-node and NVLS"
#                                  (scripts/multinode-validation.sh writes it there)
# Bounds (percent; sizes >= 1 MiB, < 1 MiB, max over all sizes; - = none): the medians measured
# when the model last changed (docs/validation.md "Multi-node and NVLS") plus a quarter, so a
# model change that moves a curve's median error by more than a quarter of itself fails here and
# must update docs/validation.md with the new numbers. The NVLS-forced curves also bound the
# largest error at any size (the issue's target for them is <= 15 % at every size): 20 % on the
# Azure H200 curves, whose worst sizes are 14.3 % (2.26.2, 1 KiB) and 17.0 % (2.20.5, 4 KiB; their
# busbw is printed to 0.01 GB/s, i.e. +-2 % of the time at 4 KiB, +-8 % at 1 KiB: 20 keeps that
# margin above 17.0, and was the bound before NVLS's chunked form); 27 % on the NCCL 2.18.5 H100
# curve (worst 21.6 % at 64 KiB, plus a quarter); on the 2 / 4 / 6-GPU H100 curves (256 MiB - 8
# GiB) the worst size plus a quarter (75.4 / 23.5 / 8.3 %).
# Every NVLS-forced curve runs with --nccl-version of the NCCL that measured it (the work split
# differs by release, model.c coll_nvls_split_of). The 2.18.5 curve is `form`, not held out: its
# 64 KiB - 1 MiB step is what made parsim model NCCL's pre-2.20 block split (channel bid takes the
# block of nHeads x chunk at bid x nHeads x chunk, N src/collectives/device/all_reduce.h
# @v2.18.5-1 559b70f8 lines 387-422); that form is NCCL's code and no figure was fitted on the
# curve, but the curve chose that the code was worth modelling.
set -u
rows=0 check=0 markdown=0 fail=0
[ "${1:-}" = "--rows" ] && { rows=1; shift; }
[ "${1:-}" = "--check" ] && { check=1; shift; }
[ "${1:-}" = "--markdown" ] && { markdown=1; shift; }
bin=${1:-${PARSIM_BIN:-build/bin/parsim}}
here=tests/platform/multinode
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 4 --fabric nvswitch --network efa-p5 -o "$tmp/aws-p5-x4.xml" || exit 2
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 3 --fabric nvswitch --network roce --nic-gbps 200 -o "$tmp/roce-x3.xml" || exit 2
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 4 --fabric nvswitch --network ib-ndr -o "$tmp/ib-ndr-x4.xml" || exit 2
# Together AI's B200 clusters with SHARP active (8 x ConnectX-7 NDR 400 Gb/s per node): 2-64 nodes.
for nodes in 2 4 8 16 32 46 64; do
  "$bin" platform --gpu b200 --gpus-per-node 8 --nodes $nodes --fabric nvswitch --network ib-ndr --sharp -o "$tmp/b200-sharp-x$nodes.xml" || exit 2
  # MD1's CollNet runs leave NCCL_ALGO to NCCL with NCCL_NVLS_ENABLE=0 (together-nccl-tests
  # benchmarks/B200/collective-scaling/submit_all.sh): the same platform with NVLS off.
  sed 's/<prop id="nvls" value="1"\/>/<prop id="nvls" value="0"\/>/' "$tmp/b200-sharp-x$nodes.xml" > "$tmp/b200-sharp-nonvls-x$nodes.xml"
done
"$bin" platform --gpu b200 --gpus-per-node 8 --nodes 2 --fabric nvswitch --network ib-ndr -o "$tmp/b200-ib-ndr-x2.xml" || exit 2
"$bin" platform --gpu b200 --gpus-per-node 8 --nodes 4 --fabric nvswitch --network ib-ndr -o "$tmp/b200-ib-ndr-x4.xml" || exit 2
"$bin" platform --gpu b200 --gpus-per-node 8 --nodes 8 --fabric nvswitch --network ib-ndr -o "$tmp/b200-ib-ndr-x8.xml" || exit 2
"$bin" platform --gpu b200 --gpus-per-node 8 --nodes 16 --fabric nvswitch --network ib-ndr -o "$tmp/b200-ib-ndr-x16.xml" || exit 2
"$bin" platform --gpu b200 --gpus-per-node 8 --nodes 32 --fabric nvswitch --network ib-ndr -o "$tmp/b200-ib-ndr-x32.xml" || exit 2
# Azure ND H100 v5 (2 and 3 VMs): ib-ndr with the run's NCCL_MIN_NCHANNELS=32 mirrored into the
# file, as README's multi-node section tells a user to (docs/data/multinode.md).
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 3 --fabric nvswitch --network ib-ndr -o "$tmp/ib-ndr-x3.xml" || exit 2
for n in 2 3; do
  src=$tmp/ib-ndr-x3.xml; [ "$n" = 2 ] && src=platforms/hgx-h100-x2-ib.xml
  sed 's/"network_min_channels" value="0"/"network_min_channels" value="32"/' "$src" > "$tmp/azure-ndh100v5-x$n.xml" || exit 2
done
# curve | platform | op | gpus | -g | extra flags | role (fit = used to set a figure, held-out = never)
over() { # median bound -> true when the median (e.g. 12.3%) is above the bound
  [ -n "$1" ] && [ "$1" != - ] && [ -n "$2" ] && [ "$2" != - ] && awk -v m="${1%\%}" -v b="$2" 'BEGIN { exit !(m > b) }'
}
if [ "$markdown" = 1 ]; then
  echo "| curve | platform | op | GPUs | role | median \\|err\\| >= 1 MiB | < 1 MiB | max \\|err\\| |"
  echo "|---|---|---|---|---|---|---|---|"
fi
while IFS='|' read -r csv platform op gpus g extra role bound_ge bound_lt bound_max; do
  case $csv in ''|'#'*) continue ;; esac
  platform=${platform/TMP/$tmp}
  out=$("$bin" nccl --platform "$platform" --compare "$here/$csv" --op "$op" --gpus "$gpus" -g "$g" $extra 2>&1) || { echo "$csv: $out"; exit 1; }
  [ "$rows" = 1 ] && echo "$out"
  ge=$(echo "$out" | sed -n 's/^# median |error|, sizes >= 1 MiB: \([^ ]*\).*/\1/p')
  lt=$(echo "$out" | sed -n 's/^# median |error|, sizes <  1 MiB: \([^ ]*\).*/\1/p')
  mx=$(echo "$out" | awk '$1 ~ /^[0-9]+$/ && $4 ~ /%$/ { e = $4; sub(/%/, "", e); e = e + 0; e = e < 0 ? -e : e; if (e > m) m = e } END { printf "%.1f%%", m }')
  name=$(basename "$platform" .xml)
  kind=$(sed -n 's/.*<prop id="network" value="\([^"]*\)".*/\1/p' "$platform" | head -1)
  case $extra in *'--algo nvls'*) [ -z "$kind" ] && kind="NVLS forced, $name" && { [ "$gpus" -ge 8 ] || kind="$kind, 2-6 GPUs"; } ;; esac
  grep -q '<prop id="network_sharp" value="1"/>' "$platform" && kind="$kind + SHARP"
  printf '%s|%s|%s|%s|%s\n' "${kind:-generic}" "$role" "${ge%\%}" "${lt%\%}" "${mx%\%}" >> "$tmp/kinds"
  if [ "$markdown" = 1 ]; then
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$csv" "$name" "$op$extra, -g $g" "$gpus" "$role" "${ge:--}" "${lt:--}" "$mx"
  else
    printf '%-52s %-15s %-22s %3s GPUs  %-9s >=1MiB %7s  <1MiB %7s  max %7s\n' "$csv" "$name" "$op$extra -g $g" "$gpus" "$role" "${ge:--}" "${lt:--}" "$mx"
  fi
  if [ "$check" = 1 ] && { over "$ge" "$bound_ge" || over "$lt" "$bound_lt" || over "$mx" "$bound_max"; }; then
    echo "  FAIL: above the bounds ${bound_ge}% / ${bound_lt}% / max ${bound_max}%"; fail=1
  fi
done <<'LIST'
gcp-a3-mega-x2-tcpxo-allreduce.csv|platforms/gcp-a3-mega-x2.xml|all_reduce|16|1||fit|16|19|-
gcp-a3-mega-x2-tcpxo-allgather.csv|platforms/gcp-a3-mega-x2.xml|all_gather|16|1||form|6|31|-
gcp-a3-high-x2-tcpx-allreduce.csv|platforms/gcp-a3-high-x2.xml|all_reduce|16|1||held-out|29|-|-
aws-p5-x2-efa-allreduce.csv|platforms/aws-p5-x2.xml|all_reduce|16|1||fit|9|-|-
aws-p5-x2-efa-allreduce-small.csv|platforms/aws-p5-x2.xml|all_reduce|16|1||held-out|-|15|-
aws-p5-x4-efa-allreduce.csv|TMP/aws-p5-x4.xml|all_reduce|32|1||held-out|14|-|-
aws-p5-x2-efa-alltoall.csv|platforms/aws-p5-x2.xml|alltoall|16|1||held-out|2|-|-
aws-p5-x4-efa-alltoall.csv|TMP/aws-p5-x4.xml|alltoall|32|1||held-out|7|-|-
nccl1453-h100-x3-allreduce.csv|TMP/roce-x3.xml|all_reduce|24|1||fit|-|10|-
nccl2409-h100-x2-roce-allreduce.csv|platforms/hgx-h100-x2-roce.xml|all_reduce|16|1||held-out|67|-|-
nccl2409-h100-x2-roce-allgather.csv|platforms/hgx-h100-x2-roce.xml|all_gather|16|1||held-out|87|-|-
nccl2409-h100-x2-roce-reducescatter.csv|platforms/hgx-h100-x2-roce.xml|reduce_scatter|16|1||held-out|87|-|-
nccl2409-h100-x2-roce-alltoall.csv|platforms/hgx-h100-x2-roce.xml|alltoall|16|1||held-out|84|-|-
voltagepark-h100-x4-ib-allreduce.csv|TMP/ib-ndr-x4.xml|all_reduce|32|1||fit|5|19|-
voltagepark-h100-x4-ib-allgather.csv|TMP/ib-ndr-x4.xml|all_gather|32|1||held-out|27|14|-
nebius-h100-x2-ib-allreduce-torch.csv|platforms/hgx-h100-x2-ib.xml|all_reduce|16|1||held-out|28|-|-
azure-ndh100v5-x2-ib-allreduce-8g.csv|TMP/azure-ndh100v5-x2.xml|all_reduce|16|1||held-out|13|-|-
azure-ndh100v5-x3-ib-allreduce-8g.csv|TMP/azure-ndh100v5-x3.xml|all_reduce|24|1||held-out|8|-|-
hgx-h100-nvls-forced-g8-allreduce.csv|platforms/hgx-h100.xml|all_reduce|8|8| --algo nvls --nccl-version 2.26.2|held-out|3|-|-
hgx-h100-nvls-forced-g8-allreduce-run2.csv|platforms/hgx-h100.xml|all_reduce|8|8| --algo nvls --nccl-version 2.26.2|held-out|3|-|-
hgx-h100-nvls-forced-g8-allreduce-run3.csv|platforms/hgx-h100.xml|all_reduce|8|8| --algo nvls --nccl-version 2.26.2|held-out|3|-|-
azure-ndh200v5-nvls-forced-nccl2.26.2-allreduce.csv|platforms/hgx-h200.xml|all_reduce|8|8| --algo nvls --nccl-version 2.26.2|held-out|3|13|20
azure-ndh200v5-nvls-forced-nccl2.20.5-allreduce.csv|platforms/hgx-h200.xml|all_reduce|8|8| --algo nvls --nccl-version 2.20.5|held-out|3|19|20
azure-ndh100v5-nvls-forced-nccl2.18.5-allreduce.csv|platforms/hgx-h100.xml|all_reduce|8|1| --algo nvls --nccl-version 2.18.5|form|3|7|27
h100-nvls-forced-g2-nccl2.29.2-allreduce.csv|platforms/hgx-h100.xml|all_reduce|2|2| --algo nvls --nccl-version 2.29.2|held-out|94|-|95
h100-nvls-forced-g4-nccl2.29.2-allreduce.csv|platforms/hgx-h100.xml|all_reduce|4|4| --algo nvls --nccl-version 2.29.2|held-out|8|-|30
h100-nvls-forced-g6-nccl2.29.2-allreduce.csv|platforms/hgx-h100.xml|all_reduce|6|6| --algo nvls --nccl-version 2.29.2|held-out|4|-|11
together-b200-md1-x2-ib-sendrecv.csv|TMP/b200-ib-ndr-x2.xml|sendrecv|16|1| --nccl-version 2.29.7|held-out|13|34|-
together-b200-md1-x4-ib-sendrecv.csv|TMP/b200-ib-ndr-x4.xml|sendrecv|32|1| --nccl-version 2.29.7|held-out|18|33|-
together-b200-md1-x8-ib-sendrecv.csv|TMP/b200-ib-ndr-x8.xml|sendrecv|64|1| --nccl-version 2.29.7|held-out|35|34|-
together-b200-md1-x16-ib-sendrecv.csv|TMP/b200-ib-ndr-x16.xml|sendrecv|128|1| --nccl-version 2.29.7|held-out|75|40|-
together-b200-md1-x2-ib-allreduce-ring.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|1| --algo ring --nccl-version 2.29.7|held-out|5|-|-
together-b200-md1-x4-ib-allreduce-ring.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|1| --algo ring --nccl-version 2.29.7|held-out|2|-|-
together-b200-md1-x8-ib-allreduce-ring.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|1| --algo ring --nccl-version 2.29.7|held-out|3|-|-
together-b200-md1-x16-ib-allreduce-ring.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|1| --algo ring --nccl-version 2.29.7|held-out|9|-|-
together-b200-md1-x32-ib-allreduce-ring.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|1| --algo ring --nccl-version 2.29.7|held-out|8|-|-
together-b200-md1-x2-ib-allgather-ring.csv|TMP/b200-ib-ndr-x2.xml|all_gather|16|1| --algo ring --nccl-version 2.29.7|held-out|5|-|-
together-b200-md1-x4-ib-allgather-ring.csv|TMP/b200-ib-ndr-x4.xml|all_gather|32|1| --algo ring --nccl-version 2.29.7|held-out|3|-|-
together-b200-md1-x8-ib-allgather-ring.csv|TMP/b200-ib-ndr-x8.xml|all_gather|64|1| --algo ring --nccl-version 2.29.7|held-out|7|-|-
together-b200-md1-x16-ib-allgather-ring.csv|TMP/b200-ib-ndr-x16.xml|all_gather|128|1| --algo ring --nccl-version 2.29.7|held-out|9|-|-
together-b200-md1-x32-ib-allgather-ring.csv|TMP/b200-ib-ndr-x32.xml|all_gather|256|1| --algo ring --nccl-version 2.29.7|held-out|9|-|-
together-b200-fa-x2-ib-allreduce-ring-g8.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|8| --algo ring --nccl-version 2.28.9|held-out|21|-|-
together-b200-fa-x4-ib-allreduce-ring-g8.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|8| --algo ring --nccl-version 2.28.9|held-out|22|-|-
together-b200-fa-x8-ib-allreduce-ring-g8.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|8| --algo ring --nccl-version 2.28.9|held-out|23|-|-
together-b200-fa-x16-ib-allreduce-ring-g8.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|8| --algo ring --nccl-version 2.28.9|held-out|23|-|-
together-b200-fa-x32-ib-allreduce-ring-g8.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|8| --algo ring --nccl-version 2.28.9|held-out|25|-|-
together-b200-fa-x2-ib-allgather-ring-g8.csv|TMP/b200-ib-ndr-x2.xml|all_gather|16|8| --algo ring --nccl-version 2.28.9|held-out|15|-|-
together-b200-fa-x4-ib-allgather-ring-g8.csv|TMP/b200-ib-ndr-x4.xml|all_gather|32|8| --algo ring --nccl-version 2.28.9|held-out|18|-|-
together-b200-fa-x8-ib-allgather-ring-g8.csv|TMP/b200-ib-ndr-x8.xml|all_gather|64|8| --algo ring --nccl-version 2.28.9|held-out|19|-|-
together-b200-fa-x16-ib-allgather-ring-g8.csv|TMP/b200-ib-ndr-x16.xml|all_gather|128|8| --algo ring --nccl-version 2.28.9|held-out|20|-|-
together-b200-fa-x32-ib-allgather-ring-g8.csv|TMP/b200-ib-ndr-x32.xml|all_gather|256|8| --algo ring --nccl-version 2.28.9|held-out|19|-|-
together-b200-fa-x4-ib-allreduce-ring-tuned.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|1| --algo ring --nccl-version 2.30.7|held-out|21|-|-
together-b200-fa-x4-ib-allgather-ring-tuned.csv|TMP/b200-ib-ndr-x4.xml|all_gather|32|1| --algo ring --nccl-version 2.30.7|held-out|18|-|-
together-b200-fa-x4-ib-reducescatter-ring-tuned.csv|TMP/b200-ib-ndr-x4.xml|reduce_scatter|32|1| --algo ring --nccl-version 2.30.7|held-out|21|-|-
together-b200-fa-x4-ib-allreduce-ring-untuned.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|1| --algo ring --nccl-version 2.30.7|held-out|9|-|-
together-b200-fa-x4-ib-allgather-ring-untuned.csv|TMP/b200-ib-ndr-x4.xml|all_gather|32|1| --algo ring --nccl-version 2.30.7|held-out|9|-|-
together-b200-fa-x4-ib-reducescatter-ring-untuned.csv|TMP/b200-ib-ndr-x4.xml|reduce_scatter|32|1| --algo ring --nccl-version 2.30.7|held-out|9|-|-
together-b200-md1-x2-ib-allreduce-tree.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|1| --algo tree --nccl-version 2.29.7|held-out|7|-|-
together-b200-md1-x4-ib-allreduce-tree.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|1| --algo tree --nccl-version 2.29.7|held-out|5|-|-
together-b200-md1-x8-ib-allreduce-tree.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|1| --algo tree --nccl-version 2.29.7|held-out|4|-|-
together-b200-md1-x16-ib-allreduce-tree.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|1| --algo tree --nccl-version 2.29.7|held-out|4|-|-
together-b200-md1-x32-ib-allreduce-tree.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|1| --algo tree --nccl-version 2.29.7|held-out|4|-|-
together-b200-md1-x2-ib-allreduce-nvlstree.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|1| --algo nvls_tree --nccl-version 2.29.7|held-out|21|-|-
together-b200-md1-x4-ib-allreduce-nvlstree.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|1| --algo nvls_tree --nccl-version 2.29.7|held-out|12|-|-
together-b200-md1-x8-ib-allreduce-nvlstree.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|1| --algo nvls_tree --nccl-version 2.29.7|held-out|19|-|-
together-b200-md1-x16-ib-allreduce-nvlstree.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|1| --algo nvls_tree --nccl-version 2.29.7|held-out|13|-|-
together-b200-md1-x32-ib-allreduce-nvlstree.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|1| --algo nvls_tree --nccl-version 2.29.7|held-out|17|-|-
together-b200-fa-x2-ib-allreduce-tree-g8.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|8| --algo tree --nccl-version 2.28.9|held-out|8|-|-
together-b200-fa-x4-ib-allreduce-tree-g8.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|8| --algo tree --nccl-version 2.28.9|held-out|5|-|-
together-b200-fa-x8-ib-allreduce-tree-g8.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|8| --algo tree --nccl-version 2.28.9|held-out|5|-|-
together-b200-fa-x16-ib-allreduce-tree-g8.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|8| --algo tree --nccl-version 2.28.9|held-out|5|-|-
together-b200-fa-x32-ib-allreduce-tree-g8.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|8| --algo tree --nccl-version 2.28.9|held-out|5|-|-
together-b200-fa-x2-ib-allreduce-nvlstree-g8.csv|TMP/b200-ib-ndr-x2.xml|all_reduce|16|8| --algo nvls_tree --nccl-version 2.28.9|held-out|22|-|-
together-b200-fa-x4-ib-allreduce-nvlstree-g8.csv|TMP/b200-ib-ndr-x4.xml|all_reduce|32|8| --algo nvls_tree --nccl-version 2.28.9|held-out|28|-|-
together-b200-fa-x8-ib-allreduce-nvlstree-g8.csv|TMP/b200-ib-ndr-x8.xml|all_reduce|64|8| --algo nvls_tree --nccl-version 2.28.9|held-out|26|-|-
together-b200-fa-x16-ib-allreduce-nvlstree-g8.csv|TMP/b200-ib-ndr-x16.xml|all_reduce|128|8| --algo nvls_tree --nccl-version 2.28.9|held-out|26|-|-
together-b200-fa-x32-ib-allreduce-nvlstree-g8.csv|TMP/b200-ib-ndr-x32.xml|all_reduce|256|8| --algo nvls_tree --nccl-version 2.28.9|held-out|25|-|-
together-b200-flapping-x2-collnet-chain-allreduce.csv|TMP/b200-sharp-x2.xml|all_reduce|16|8| --algo collnet_chain|held-out|1|-|-
together-b200-flapping-x4-collnet-chain-allreduce.csv|TMP/b200-sharp-x4.xml|all_reduce|32|8| --algo collnet_chain|fit|1|-|-
together-b200-flapping-x8-collnet-chain-allreduce.csv|TMP/b200-sharp-x8.xml|all_reduce|64|8| --algo collnet_chain|held-out|1|-|-
together-b200-flapping-x16-collnet-chain-allreduce.csv|TMP/b200-sharp-x16.xml|all_reduce|128|8| --algo collnet_chain|held-out|2|-|-
together-b200-flapping-x32-collnet-chain-allreduce.csv|TMP/b200-sharp-x32.xml|all_reduce|256|8| --algo collnet_chain|held-out|4|-|-
together-b200-flapping-x64-collnet-chain-allreduce.csv|TMP/b200-sharp-x64.xml|all_reduce|512|8| --algo collnet_chain|held-out|5|-|-
together-b200-flapping-x2-collnet-direct-allreduce.csv|TMP/b200-sharp-x2.xml|all_reduce|16|8| --algo collnet_direct|held-out|3|-|-
together-b200-flapping-x4-collnet-direct-allreduce.csv|TMP/b200-sharp-x4.xml|all_reduce|32|8| --algo collnet_direct|fit|6|-|-
together-b200-flapping-x16-collnet-direct-allreduce.csv|TMP/b200-sharp-x16.xml|all_reduce|128|8| --algo collnet_direct|held-out|12|-|-
together-b200-flapping-x32-collnet-direct-allreduce.csv|TMP/b200-sharp-x32.xml|all_reduce|256|8| --algo collnet_direct|held-out|16|-|-
together-b200-flapping-x64-collnet-direct-allreduce.csv|TMP/b200-sharp-x64.xml|all_reduce|512|8| --algo collnet_direct|held-out|18|-|-
together-b200-flapping-x2-collnet-direct-allgather.csv|TMP/b200-sharp-x2.xml|all_gather|16|8| --algo collnet_direct|held-out|2|-|-
together-b200-flapping-x4-collnet-direct-allgather.csv|TMP/b200-sharp-x4.xml|all_gather|32|8| --algo collnet_direct|held-out|1|-|-
together-b200-flapping-x32-collnet-direct-allgather.csv|TMP/b200-sharp-x32.xml|all_gather|256|8| --algo collnet_direct|held-out|2|-|-
together-b200-md1-x2-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x2.xml|all_reduce|16|1||held-out|5|-|-
together-b200-md1-x4-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x4.xml|all_reduce|32|1||held-out|2|-|-
together-b200-md1-x8-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x8.xml|all_reduce|64|1||held-out|1|-|-
together-b200-md1-x16-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x16.xml|all_reduce|128|1||held-out|1|-|-
together-b200-md1-x32-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x32.xml|all_reduce|256|1||held-out|2|-|-
together-b200-md1-x46-collnet-allreduce.csv|TMP/b200-sharp-nonvls-x46.xml|all_reduce|368|1||held-out|3|-|-
LIST
# Per network kind, the held-out curves only (docs/validation.md): the worst median of each size
# range, the median of the curves' medians (how a typical held-out curve of the kind fares; the
# target column still uses the worst) and the worst single size, against the issue's targets (multi-node: median <= 15 % from
# 1 MiB and <= 30 % below; NVLS forced on one node, per platform: <= 15 % at every size).
if [ "$markdown" = 1 ]; then
  echo
  echo "| network kind | held-out curves | worst median >= 1 MiB | worst median < 1 MiB | median of the medians >= 1 MiB / < 1 MiB | worst size | target met |"
  echo "|---|---|---|---|---|---|---|"
  # med(): the median of one kind's per-curve medians (the middle one, or the mean of the middle two)
  awk -F'|' 'function med(v, k, n,   i, j, t, a) { if (!n) return "-"; for (i = 1; i <= n; i++) a[i] = v[k, i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return sprintf("%.1f%%", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) }
    $2 == "held-out" {
      k = $1; n[k]++; if (!(k in order)) { order[k] = ++nk; names[nk] = k }
      if ($3 != "-" && $3 != "" && $3 + 0 > ge[k]) ge[k] = $3 + 0; if ($3 != "-" && $3 != "") hge[k] = 1
      if ($4 != "-" && $4 != "" && $4 + 0 > lt[k]) lt[k] = $4 + 0; if ($4 != "-" && $4 != "") hlt[k] = 1
      if ($5 + 0 > mx[k]) mx[k] = $5 + 0
      if ($3 != "-" && $3 != "") vge[k, ++nge[k]] = $3 + 0; if ($4 != "-" && $4 != "") vlt[k, ++nlt[k]] = $4 + 0 }
    END { for (i = 1; i <= nk; i++) { k = names[i]
        g = hge[k] ? sprintf("%.1f%%", ge[k]) : "-"; l = hlt[k] ? sprintf("%.1f%%", lt[k]) : "-"
        if (k ~ /^NVLS/) ok = mx[k] <= 15 ? "yes" : "no (every size <= 15 %)"
        else ok = ((!hge[k] || ge[k] <= 15) && (!hlt[k] || lt[k] <= 30)) ? (hlt[k] && hge[k] ? "yes" : "yes, where data exist") : "no"
        printf "| %s | %d | %s | %s | %s / %s | %.1f%% | %s |\n", k, n[k], g, l, med(vge, k, nge[k]), med(vlt, k, nlt[k]), mx[k], ok } }' "$tmp/kinds"
  awk -F'|' '{ k[$1] = 1; if ($2 == "held-out") h[$1] = 1 } END { for (x in k) if (!(x in h)) print x }' "$tmp/kinds" |
    sort | awk 'BEGIN { s = "" } { s = s (s ? ", " : "") $0 } END { if (s) print "\nNo held-out curve: " s " (their rows above are fit or form)." }'
fi
exit $fail
