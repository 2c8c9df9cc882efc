#!/usr/bin/env bash
# Decode attention is priced in the KV cache's dtype (sim/replay/predict.c op_cost and
# graph_mixed.c mixed_attention_cost): a decode query streams the cache, whose bytes the op graph
# counts in --kv-dtype, and the cost model reads K and V in the query's dtype. Before, an fp8
# cache was priced as bf16 (twice its bytes), which made decode-bound predictions with
# --kv-dtype fp8 too slow (Llama 3.3 70B TP1 on H200 at 1000/1000, max load: 1982 tok/s with the
# bug, 2489 without; measured 2909, docs/validation.md "End to end").
# Checks, for a static batch (the op_cost path) and an in-flight run (the mixed path), that the
# replayed duration of decode layer 0's attention kernel in the --timeline equals what
# `parsim cost` gives for that op's shape in the KV dtype: to 0.01 us (the timeline's us have 3
# decimals; identical inputs give identical bits otherwise), for fp8 and for bf16.
set -eu
bin=${PARSIM_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# dur TIMELINE OP: the first event of that name (us)
dur() { python3 -c "import json,sys; ev=json.load(open(sys.argv[1]))['traceEvents']; print(next(e['dur'] for e in ev if e.get('name')==sys.argv[2]))" "$1" "$2"; }
for kv in fp8 bf16; do
  "$bin" predict --model llama3.1-8b --tp 1 --platform platforms/hgx-h200.xml --scheduler static --batch 64 \
    --isl 1024 --osl 2 --kv-dtype "$kv" --timeline "$tmp/s.json" >/dev/null
  got=$(dur "$tmp/s.json" decode/mb0/L000/attention)
  # the op's shape, from the same op graph (parsim plan --ops: seqs 64, context 1025)
  want=$("$bin" cost --gpu h200-sxm --op attention --phase decode --seqs 64 --tokens 64 --context 1025 --heads 32 \
    --kv-heads 8 --head-dim 128 --dtype "$kv" --json | sed -n 's/.*"time_us":\([-0-9.e+]*\).*/\1/p')
  echo "static, KV $kv: replayed $got us, parsim cost in $kv $want us"
  awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.01) }' || { echo "FAIL: static decode attention not priced in the KV dtype"; fail=1; }
done
# in flight (mixed iterations): one request at a time, so a decode-only round decodes 1 sequence
# whose context is ISL + generated tokens; the first decode-only round (after the prompt's round)
# is at context 1024 + 1 (priced at its 64-token bucket's centre, sched_inflight.c: 1056)
for kv in fp8 bf16; do
  "$bin" predict --model llama3.1-8b --tp 1 --platform platforms/hgx-h200.xml --batch 1 --requests 1 --isl 1024 \
    --osl 3 --kv-dtype "$kv" --timeline "$tmp/i.json" >/dev/null
  got=$(python3 -c "import json,sys; ev=json.load(open(sys.argv[1]))['traceEvents']; print([e['dur'] for e in ev if e.get('name')=='mixed/mb0/L000/attention'][1])" "$tmp/i.json")
  want=$("$bin" cost --gpu h200-sxm --op attention --phase decode --seqs 1 --tokens 1 --context 1056 --heads 32 \
    --kv-heads 8 --head-dim 128 --dtype "$kv" --json | sed -n 's/.*"time_us":\([-0-9.e+]*\).*/\1/p')
  echo "in-flight, KV $kv: replayed $got us, parsim cost in $kv $want us"
  awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.01) }' || { echo "FAIL: mixed decode attention not priced in the KV dtype"; fail=1; }
done
exit $fail
