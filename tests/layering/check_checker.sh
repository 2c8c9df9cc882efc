#!/usr/bin/env bash
# The layering check must be able to fail: on a small tree with one violation of each rule (and
# one clean file) it must report exactly those, and pass on the clean part alone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mk() { mkdir -p "$(dirname "$tmp/$1")"; printf '%b' "$2" > "$tmp/$1"; }
mk include/parsim/platform.h '#include <simgrid/forward.h>\n'          # sim-level: allowed
mk include/parsim/good.h '#include <stdio.h>\n#include "parsim/error.h"\n'
mk include/parsim/error.h '#include <stddef.h>\n'
mk include/parsim/leaky.h '#include "parsim/platform.h"\n'             # core header -> sim header
mk core/util/ok.c '#include "parsim/good.h"\n'
mk core/util/gpu.c '#include <cuda_runtime_api.h>\n'                   # core -> CUDA
mk core/cost/via.c '#  include "parsim/leaky.h"\n'                     # core -> SimGrid, two hops
mk runtime/main.c '#include "cli/commands.h"\n#include <cuda.h>\n'     # runtime -> sim header (CUDA is fine)
mk sim/cli/commands.h '\n'
mk sim/report/r.c '#include <xbt/log.h>\n'                             # SimGrid-free module -> xbt
mk sim/platform/p.c '#include <simgrid/s4u.h>\n'                       # allowed
"$here/check_layering.sh" "$tmp" "$here/layers.conf" > "$tmp/out" 2>&1
rc=$?
fail=0
[ "$rc" -eq 1 ] || { echo "check_layering exited $rc on a tree with violations, expected 1"; fail=1; }
for want in "include/parsim/leaky.h: no-sim: includes include/parsim/platform.h" \
            "include/parsim/leaky.h: no-simgrid: includes <simgrid/forward.h>" \
            "core/util/gpu.c: no-gpu: includes <cuda_runtime_api.h>" \
            "core/cost/via.c: no-simgrid: includes <simgrid/forward.h> (core/cost/via.c -> include/parsim/leaky.h -> include/parsim/platform.h)" \
            "runtime/main.c: no-sim: includes sim/cli/commands.h" \
            "sim/report/r.c: no-simgrid: includes <xbt/log.h>"; do
  grep -qF "$want" "$tmp/out" || { echo "missing: $want"; fail=1; }
done
n=$(grep -c ': no-' "$tmp/out")
[ "$n" -eq 7 ] || { echo "expected 7 violations, got $n:"; cat "$tmp/out"; fail=1; }  # via.c also reaches platform.h (no-sim)
rm "$tmp/include/parsim/leaky.h" "$tmp/core/util/gpu.c" "$tmp/core/cost/via.c" "$tmp/runtime/main.c" "$tmp/sim/report/r.c"
"$here/check_layering.sh" "$tmp" "$here/layers.conf" > "$tmp/out" 2>&1 || { echo "clean tree refused:"; cat "$tmp/out"; fail=1; }
exit $fail
