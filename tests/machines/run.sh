#!/usr/bin/env bash
# A fabric over two "machines" (network namespaces with a veth underlay):
# docs/MULTI_MACHINE.md. Root. $1: build dir (default ./build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/machines"
# one fabric test at a time on this machine (namespace names, loomd's CPU)
exec flock /run/loom-fabric.lock /usr/bin/python3 -m unittest -v test_two_machines
