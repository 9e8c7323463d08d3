#!/usr/bin/env bash
# The unit, packet and virtual-time suites on a sanitizer build:
#   tests/sanitize/run.sh BUILD_ASAN
# BUILD_ASAN is set up if it is not yet (gcc, -Db_sanitize=address,undefined,
# no LTO) and built. loomd runs under ASan with DPDK's EAL as the suites
# start it (--no-huge when hugepages are short; pcap and ring ports).
# UBSan findings are fatal; leaks inside DPDK's librte_pipeline are
# suppressed (tests/lsan.supp), any other leak fails the run at loomd's exit.
# Needs root (the packet suite runs loomd).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BUILD=$1
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$ROOT" -Db_sanitize=address,undefined -Db_lto=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null

export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1

rc=0
echo "== unit (sanitized)"
meson test -C "$BUILD" --suite unit --verbose || rc=1
echo "== packet (sanitized)"
"$ROOT/tests/packet/run.sh" "$BUILD" || rc=1
echo "== virtual (sanitized)"
"$ROOT/tests/virtual/run.sh" "$BUILD" || rc=1
exit $rc
