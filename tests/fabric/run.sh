#!/usr/bin/env bash
# End-to-end fabric tests (root, namespaces). $1: build dir (default ./build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/fabric"
# One fabric run at a time on this machine: the tests share namespace names,
# /run/loom and the default control socket.
exec flock /run/loom-fabric.lock /usr/bin/python3 -m unittest -v test_default_fabric test_split_fabric test_fat_tree test_p4_fabric test_tm_fabric test_generator_hosts test_load_balancing test_cell_fabric_rt test_cell_fat_tree_rt test_cell_hosts test_jumbo_fabric test_web test_endpoint test_restart test_faults_rt test_live_routes test_trace test_worker_pauses test_no_hosts test_up_interrupted test_cell_voq_tm
