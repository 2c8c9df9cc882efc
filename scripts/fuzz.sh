#!/usr/bin/env bash
# Bounded fuzzing of every reader (make fuzz). Each tests/fuzz/<target>.c is a libFuzzer target;
# this builds them with clang -fsanitize=fuzzer,address,undefined into build-fuzz/ and runs each
# for FUZZ_SECONDS (default 60), seeded from tests/fuzz/corpus/<target>/ (checked in) and, for the
# trace readers, the bad-input corpus tests/trace/corpus/ (platform_load and coll_params: tests/fuzz/bad/). New inputs go to build-fuzz/corpus/<target>/,
# findings to build-fuzz/artifacts/<target>-crash-*. Exit 1 if any target found something.
#
#   FUZZ_SECONDS=600 scripts/fuzz.sh                       all targets, 10 minutes each
#   FUZZ_TARGETS="trace_comms trace_meta" scripts/fuzz.sh  some targets
#   FUZZ_BUILD=dir                                         build folder (default build-fuzz)
set -u
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang)}
[ -n "$cc" ] || { echo "fuzz.sh: clang not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/*.c | xargs -n1 basename | sed 's/\.c$//')}
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"

# Library code once, instrumented for coverage without libFuzzer's main.
# SimGrid: the platform loader (platform_load) and the collective model that holds the sidecar
# reader (coll_params) link against it.
flags="-g -O1 -std=c11 -D_DEFAULT_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=undefined -Iinclude -Isim -Icore $(pkg-config --cflags libcjson sqlite3 simgrid)"
libs="$(pkg-config --libs libcjson sqlite3 zlib simgrid) -lcsv -lm"
srcs=$(ls core/util/*.c core/trace/*.c core/workload/*.c core/cost/*.c sim/import/*.c sim/export/*.c sim/platform/*.c sim/coll/*.c 2>/dev/null)
objs=""
for src in $srcs; do
  obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find include core sim -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
    $cc $flags -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || { echo "fuzz.sh: cannot compile $src" >&2; exit 2; }
  fi
  objs="$objs $obj"
done

failed=0
for t in $targets; do
  $cc $flags -fsanitize=fuzzer "tests/fuzz/$t.c" $objs $libs -o "$out/$t" || { echo "fuzz.sh: cannot build $t" >&2; exit 2; }
  seeds="tests/fuzz/corpus/$t"
  extra=""
  case $t in
    trace_activities) extra=$(ls -d tests/trace/corpus/activities 2>/dev/null) ;;
    trace_comms) extra=$(ls -d tests/trace/corpus/comms 2>/dev/null) ;;
    trace_ops) extra=$(ls -d tests/trace/corpus/ops 2>/dev/null) ;;
    trace_meta) extra=$(ls -d tests/trace/corpus/meta 2>/dev/null) ;;
    trace_check) extra=$(ls -d tests/trace/corpus/comms 2>/dev/null) ;;
    platform_load) extra=$(ls -d tests/fuzz/bad/platform 2>/dev/null) ;;
    coll_params) extra=$(ls -d tests/fuzz/bad/sidecar 2>/dev/null) ;;
    nccl_log) extra=$(ls -d tests/coll/logs 2>/dev/null) ;;
  esac
  # platform_load: SimGrid aborts on purpose in the validator's forked child (a malformed file),
  # so SIGABRT must kill that child, not make libFuzzer report it; the oracles trap instead.
  # FUZZ_FLAGS: more libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to go on after a finding.
  tflags=""
  [ "$t" = platform_load ] && tflags="-handle_abrt=0"
  mkdir -p "$out/corpus/$t"
  start=$(date +%s)
  # -max_len above the readers' 20 KiB record limit so that the limit itself gets exercised;
  # -rss_limit_mb: a reader whose memory grows with the input is a finding too.
  "$out/$t" $tflags ${FUZZ_FLAGS:-} -max_total_time="$seconds" -max_len=32768 -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
      "$out/corpus/$t" $( [ -d "$seeds" ] && echo "$seeds" ) $extra >"$out/$t.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
  echo "$t: exit $rc, $(( $(date +%s) - start )) s, ${runs:-?} runs, corpus $(ls "$out/corpus/$t" | wc -l) (log $out/$t.log)"
  [ "$rc" -eq 0 ] || failed=1
done
exit $failed
