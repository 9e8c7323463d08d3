#!/usr/bin/env bash
# VM guests (docs/VMS.md): builds the guest image when missing, boots a
# guest under QEMU (TCG here), talks to its agent over virtio-serial, stops
# it; then a fabric with VM hosts (test_vm_fabric.py, under
# /run/loom-fabric.lock). $1: build dir (default ./build). Environment:
#   LOOM_VM_BOOT_RUNS=N   boot N times and print the boot-to-agent-ready times
#   LOOM_VM_TESTPMD=0     skip the guest with a vhost-user NIC against dpdk-testpmd
#                         (run when dpdk-testpmd is there: ~20 s, two cores busy)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "tests/vm: run as root" >&2; exit 1; }
ninja -C "$LOOM_BUILD" vm/guest/loom-vm vm/guest/agent/loom-guest-agent control/loomctl dataplane/loomd \
  endpoint/loom-endpoint >/dev/null
cd "$ROOT/tests/vm"
/usr/bin/python3 -m unittest -v test_guest
# VM hosts in a fabric (loomctl up/exec/console/down): one fabric per
# machine, as the fabric tests
exec flock /run/loom-fabric.lock /usr/bin/python3 -m unittest -v test_vm_fabric
