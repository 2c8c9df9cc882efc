#!/usr/bin/env bash
# Runs `parsim nccl --compare` on every derived multi-node / NVLS-forced curve of this folder
# against the platform that describes its system, and prints one line per curve: the median
# |time error| at sizes >= 1 MiB and < 1 MiB (docs/validation.md "Multi-node and NVLS").
#   compare.sh [PARSIM]          PARSIM defaults to build/bin/parsim; run from the source root
#   compare.sh --rows [PARSIM]   also print the per-size rows
#   compare.sh --check [PARSIM]  exit 1 when a median exceeds its bound (ctest platform.multinode)
# Bounds (last two columns, percent, sizes >= 1 MiB and < 1 MiB): the medians measured when the
# network figures were fitted (docs/validation.md "Multi-node and NVLS") plus a quarter, so a
# model change that moves a curve's median error by more than a quarter of itself fails here and
# must update docs/validation.md with the new numbers.
set -u
rows=0 check=0 fail=0
[ "${1:-}" = "--rows" ] && { rows=1; shift; }
[ "${1:-}" = "--check" ] && { check=1; shift; }
bin=${1:-${PARSIM_BIN:-build/bin/parsim}}
here=tests/platform/multinode
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 4 --fabric nvswitch --network efa-p5 -o "$tmp/aws-p5-x4.xml" || exit 2
"$bin" platform --gpu h100-sxm --gpus-per-node 8 --nodes 3 --fabric nvswitch --network ib-ndr -o "$tmp/ib-ndr-x3.xml" || exit 2
# curve | platform | op | gpus | -g | extra flags | role (fit = used to set a figure, held-out = never)
over() { # median bound -> true when the median (e.g. 12.3%) is above the bound
  [ -n "$1" ] && [ "$1" != - ] && [ -n "$2" ] && [ "$2" != - ] && awk -v m="${1%\%}" -v b="$2" 'BEGIN { exit !(m > b) }'
}
while IFS='|' read -r csv platform op gpus g extra role bound_ge bound_lt; do
  case $csv in ''|'#'*) continue ;; esac
  platform=${platform/TMP/$tmp}
  out=$("$bin" nccl --platform "$platform" --compare "$here/$csv" --op "$op" --gpus "$gpus" -g "$g" $extra 2>&1) || { echo "$csv: $out"; exit 1; }
  [ "$rows" = 1 ] && echo "$out"
  ge=$(echo "$out" | sed -n 's/^# median |error|, sizes >= 1 MiB: \([^ ]*\).*/\1/p')
  lt=$(echo "$out" | sed -n 's/^# median |error|, sizes <  1 MiB: \([^ ]*\).*/\1/p')
  printf '%-44s %-22s %-15s %3s GPUs  %-9s >=1MiB %7s  <1MiB %7s\n' "$csv" "$(basename "$platform" .xml)" "$op$extra" "$gpus" "$role" "${ge:--}" "${lt:--}"
  if [ "$check" = 1 ] && { over "$ge" "$bound_ge" || over "$lt" "$bound_lt"; }; then
    echo "  FAIL: above the bounds ${bound_ge}% / ${bound_lt}%"; fail=1
  fi
done <<'LIST'
gcp-a3-mega-x2-tcpxo-allreduce.csv|platforms/gcp-a3-mega-x2.xml|all_reduce|16|1||fit|16|15
gcp-a3-mega-x2-tcpxo-allgather.csv|platforms/gcp-a3-mega-x2.xml|all_gather|16|1||held-out|28|10
aws-p5-x2-efa-allreduce.csv|platforms/aws-p5-x2.xml|all_reduce|16|1||fit|7|-
aws-p5-x4-efa-allreduce.csv|TMP/aws-p5-x4.xml|all_reduce|32|1||held-out|16|-
aws-p5-x2-efa-alltoall.csv|platforms/aws-p5-x2.xml|alltoall|16|1||held-out|2|-
aws-p5-x4-efa-alltoall.csv|TMP/aws-p5-x4.xml|alltoall|32|1||held-out|6|-
nccl1453-h100-x3-allreduce.csv|TMP/ib-ndr-x3.xml|all_reduce|24|1||fit|-|10
nebius-h100-x2-ib-allreduce-torch.csv|platforms/hgx-h100-x2-ib.xml|all_reduce|16|1||held-out|24|-
hgx-h100-nvls-forced-g8-allreduce.csv|platforms/hgx-h100.xml|all_reduce|8|8| --algo nvls|held-out|3|-
LIST
exit $fail
