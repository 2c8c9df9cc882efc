#!/usr/bin/env bash
# The replay's shortcuts against the full replay (PARSIM_REPLAY_FULL=1): TTFT, TPOT, end-to-end
# and output tok/s within 0.5 % (issue 11's bound for every shortcut).
#   static:   three sampled decode steps interpolated in the step index vs every decode step;
#             no PP (passes cannot overlap), PP8 and TP4xPP2 (the pipeline's steady state is
#             measured over 4 reps per sample), at batch 1 and at a large batch, where the
#             context-dependent attention is a large share of a decode step;
#   inflight: iterations keyed by bucketed contexts and decode counts interpolated between
#             multiples of 16 vs every exact composition replayed; trtllm (whole prompts) and
#             vllm (chunked prefill, preemption) rules, TP and PP.
set -eu
bin=${PARSIM_BIN:?}
fail=0
check() {
  sampled=$("$bin" predict "$@" --json)
  full=$(PARSIM_REPLAY_FULL=1 "$bin" predict "$@" --json)
  for key in ttft_ms tpot_ms e2e_ms output_tok_s; do
    a=$(echo "$sampled" | sed -n "s/.*\"$key\":\([-0-9.e+]*\).*/\1/p")
    b=$(echo "$full" | sed -n "s/.*\"$key\":\([-0-9.e+]*\).*/\1/p")
    if ! awk -v a="$a" -v b="$b" -v k="$key" -v c="$*" 'BEGIN { e = (a - b) / b; if (e < 0) e = -e;
        printf "%-60s %-13s sampled %-12s full %-12s error %.4f %%\n", c, k, a, b, 100 * e; exit !(e <= 0.005) }'; then
      fail=1
    fi
  done
}
check --model llama3.1-8b --tp 2 --platform platforms/hgx-h200.xml --scheduler static --batch 32 --isl 1024 --osl 128
check --model llama3.1-405b --dtype fp8 --pp 8 --platform platforms/hgx-h200.xml --scheduler static --batch 1 --isl 2048 --osl 128
check --model llama3.1-405b --dtype fp8 --pp 8 --platform platforms/hgx-h200.xml --scheduler static --batch 256 --isl 2048 --osl 128
check --model llama3.1-70b --dtype fp8 --tp 4 --pp 2 --platform platforms/mesh8-h200.xml --scheduler static --batch 64 --isl 4096 --osl 256
check --model llama3.1-70b --dtype fp8 --tp 4 --platform platforms/hgx-h200.xml --batch max --requests 200 --isl 1024 --osl 128
check --model llama3.1-70b --dtype fp8 --tp 2 --pp 2 --platform platforms/hgx-h200.xml --engine vllm --batch max --requests 200 --isl 2048 --osl 256
check --model llama3.1-8b --tp 1 --pp 2 --platform platforms/mesh8-h200.xml --batch 16 --isl 512 --osl 64
exit $fail
