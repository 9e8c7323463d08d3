#!/usr/bin/env bash
# The libFuzzer harnesses of tests/fuzz/ (README there).
#   run.sh BUILD_FUZZ replay [TARGET...]        every seed and reproducer once
#   run.sh BUILD_FUZZ fuzz SECONDS [TARGET...]  real fuzzing, SECONDS per target
# BUILD_FUZZ is set up with clang-14 if it is not yet (-Dfuzz=true, ASan and
# UBSan, no LTO) and the harnesses are built in it. Replay prints cmocka's
# "[  PASSED  ]"/"[  FAILED  ]" lines (one test per seed) for ./loom test;
# a harness that crashes, leaks or trips UBSan on a seed fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGETS=(topo workload experiment cdf loomd_config pkt_parse swx_spec cell pfc)

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
BUILD=$1 MODE=$2; shift 2
SECONDS_EACH=60
if [ "$MODE" = fuzz ]; then
  [ $# -ge 1 ] || usage
  SECONDS_EACH=$1; shift
elif [ "$MODE" != replay ]; then
  usage
fi
[ $# -eq 0 ] || TARGETS=("$@")
for t in "${TARGETS[@]}"; do
  [ -f "$HERE/fuzz_$t.c" ] || { echo "run.sh: no harness '$t' (tests/fuzz/fuzz_$t.c)" >&2; exit 2; }
done

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang-14 meson setup "$BUILD" "$ROOT" -Dfuzz=true -Db_sanitize=address,undefined -Db_lto=false \
    -Db_lundef=false -Dtests=disabled -Dbuildtype=debugoptimized >/dev/null
fi
# quiet when it builds; what failed when it does not (ninja reports on stdout)
if ! out=$(ninja -C "$BUILD" "${TARGETS[@]/#/tests/fuzz/fuzz_}" 2>&1); then
  printf '%s\n' "$out" | grep -v '^\[' >&2
  echo "run.sh: building the fuzz harnesses failed" >&2
  exit 1
fi

# Leaks in DPDK's own code are not Loom's (lsan.supp says which).
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1

failed=0
for t in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/fuzz_$t
  mapfile -t seeds < <(find "$HERE/corpus/$t" -type f | sort)
  if [ ${#seeds[@]} -eq 0 ]; then  # libFuzzer given no file would fuzz forever
    echo "fuzz_$t: no seeds in tests/fuzz/corpus/$t"; echo "[  FAILED  ] 1 test(s)"; failed=1; continue
  fi
  if [ "$MODE" = replay ]; then
    # libFuzzer runs each file given by name once: no search.
    if out=$("$bin" "${seeds[@]}" 2>&1); then
      echo "fuzz_$t: ${#seeds[@]} seeds replayed"
      echo "[  PASSED  ] ${#seeds[@]} test(s)."
    else
      echo "$out" | grep -vE '^(Running|Executed) ' | tail -60
      echo "fuzz_$t: a seed failed (above)"
      echo "[  FAILED  ] 1 test(s)"
      failed=1
    fi
  else
    # New inputs go to BUILD/fuzz-corpus/T, crashes to BUILD/fuzz-artifacts/;
    # a crash's input, once fixed, belongs in tests/fuzz/corpus/T/.
    work=$BUILD/fuzz-corpus/$t art=$BUILD/fuzz-artifacts
    mkdir -p "$work" "$art"
    log=$BUILD/fuzz-$t.log
    rc=0
    nice -n 10 "$bin" -max_total_time="$SECONDS_EACH" -dict="$HERE/$t.dict" -max_len=16384 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$art/$t-" -print_final_stats=1 "$work" "$HERE/corpus/$t" >"$log" 2>&1 || rc=$?
    execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
      grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
      echo "fuzz_$t: FOUND A FAILURE after ${execs:-?} executions (log: $log)"
      failed=1
    else
      echo "fuzz_$t: ${execs:-?} executions in ${SECONDS_EACH} s, ${cov:-cov: ?} edges, corpus $(find "$work" -type f | wc -l) inputs"
    fi
  fi
done
exit $failed
