#!/usr/bin/env bash
# Checks tests/layering/layers.conf against the #include graph of the source tree (core/,
# include/, sim/, runtime/). Quoted includes resolve like the compiler's search path: the file's
# own folder, then include/, sim/, core/, runtime/; unresolved ones are left out (generated or
# external files). Angle includes are system headers, classified by name. Prints one line per
# violation: "FILE: RULE: includes X (FILE -> A -> X)", and exits 1 if there is any.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${1:-$(cd "$here/../.." && pwd)}
conf=${2:-$root/tests/layering/layers.conf}
cd "$root"
dirs=$(for d in core include sim runtime; do [ -d "$d" ] && echo "$d"; done)
# shellcheck disable=SC2086
files=$(find $dirs -type f \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) \
        2>/dev/null | LC_ALL=C sort)
[ -n "$files" ] || { echo "layering: no sources under $root"; exit 1; }
# shellcheck disable=SC2086
awk -v conf="$conf" -v filelist="$(echo $files)" -f "$here/layering.awk" $files
