#!/usr/bin/env bash
# A fabric over two "machines" (network namespaces with a veth underlay):
# docs/MULTI_MACHINE.md. Root. $1: build dir (default ./build).
# LOOM_TEST_VM_LOOMD=1 (`./loom test --long`) also runs test_vm_machine: one
# machine inside a TCG guest (vm/machine/loom-vm-machine; several minutes),
# with loomctl and loomd of a portable build, $LOOM_GUEST_BUILD (default
# ./build-guest, -march=x86-64-v2: set up here when missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/machines"
modules=(test_two_machines)
if [ "${LOOM_TEST_VM_LOOMD:-0}" = 1 ]; then
  export LOOM_GUEST_BUILD=${LOOM_GUEST_BUILD:-$ROOT/build-guest}
  [ -f "$LOOM_GUEST_BUILD/build.ninja" ] ||
    meson setup "$LOOM_GUEST_BUILD" "$ROOT" -Dmarch=x86-64-v2 -Dtests=disabled -Dmpi=disabled >/dev/null
  ninja -C "$LOOM_GUEST_BUILD" control/loomctl dataplane/loomd >/dev/null
  ninja -C "$LOOM_BUILD" vm/guest/loom-vm vm/guest/agent/loom-guest-agent >/dev/null
  modules+=(test_vm_machine)
fi
# one fabric test at a time on this machine (namespace names, loomd's CPU)
exec flock /run/loom-fabric.lock /usr/bin/python3 -m unittest -v "${modules[@]}"
