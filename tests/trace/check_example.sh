#!/usr/bin/env bash
# Regenerates the shipped synthetic example trace and compares it byte for byte: the example in
# traces/examples/ must be exactly what tests/trace/gen_example.c writes (reproducible, and the
# writer's output format is pinned). Then `parsim trace check` must accept it.
set -eu
gen=$1
src=${PARSIM_SOURCE_DIR:?}/traces/examples/llama3.1-8b-tp2-decode
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp/example"
diff -r "$src" "$tmp/example"
"${PARSIM_BIN:?}" trace check "$tmp/example" >/dev/null
