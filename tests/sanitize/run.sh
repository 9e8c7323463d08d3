#!/usr/bin/env bash
# The unit, packet and virtual-time suites and the default namespace fabric's
# tests on a sanitizer build:
#   tests/sanitize/run.sh BUILD_ASAN
#   tests/sanitize/run.sh BUILD_ASAN soak [--minutes N]   (./loom soak: tests/soak/soak.py)
# BUILD_ASAN is set up if it is not yet (gcc, -Db_sanitize=address,undefined,
# no LTO) and built. loomd runs under ASan with DPDK's EAL as the suites
# start it (--no-huge when hugepages are short; pcap and ring ports).
# UBSan findings are fatal; leaks inside DPDK's librte_pipeline are
# suppressed (tests/lsan.supp), any other leak fails the run at loomd's exit.
# Needs root (the packet suite runs loomd).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BUILD=$1
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$ROOT" -Db_sanitize=address,undefined -Db_lto=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null

export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1

if [ "${2:-}" = soak ]; then
  shift 2
  # ASan holds freed memory in a quarantine (256 MB by default): RSS would
  # grow by that much whatever loomd does; a small one lets it level off.
  export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16
  # one fabric per machine: the namespace fabric tests' lock
  exec flock /run/loom-fabric.lock /usr/bin/python3 "$ROOT/tests/soak/soak.py" --build "$BUILD" "$@"
fi

rc=0
echo "== unit (sanitized)"
meson test -C "$BUILD" --suite unit --verbose || rc=1
echo "== packet (sanitized)"
"$ROOT/tests/packet/run.sh" "$BUILD" || rc=1
echo "== virtual (sanitized)"
"$ROOT/tests/virtual/run.sh" "$BUILD" || rc=1
# loomctl up/down and loomd's start through it (state file, change replay,
# af_packet hosts) run nowhere else under the sanitizers: one namespace
# fabric's tests (a UBSan finding in loomd's first start was seen only by
# the soak).
echo "== fabric: default (sanitized)"
(cd "$ROOT/tests/fabric" && LOOM_BUILD=$(cd "$BUILD" && pwd) \
  flock /run/loom-fabric.lock /usr/bin/python3 -m unittest -v test_default_fabric) || rc=1
exit $rc
