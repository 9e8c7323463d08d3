#!/usr/bin/env bash
# The smoke experiment (workloads/experiments/smoke.yaml): loomctl
# experiment run in virtual time, then its report is checked; a one-run
# experiment replayed by loomctl web (test_web_replay.py).
# $1: build dir (default ./build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/experiment"
exec /usr/bin/python3 -m unittest -v test_experiment test_web_replay
