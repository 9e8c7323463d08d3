#!/usr/bin/env bash
# Fabrics in virtual time (loomctl run; no namespaces, no /run/loom).
# $1: build dir (default ./build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/virtual"
exec /usr/bin/python3 -m unittest -v test_virtual test_lb_virtual test_cell_fabric test_tm_virtual test_output_files test_scale_memory test_faults test_trace_virtual test_transport_virtual test_nscc_virtual test_lb_flow test_reps_virtual test_ack_coalesce_virtual test_flow_acct_virtual test_credit_virtual test_planes test_mpi test_conga_virtual
