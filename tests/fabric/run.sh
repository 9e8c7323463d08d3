#!/usr/bin/env bash
# End-to-end fabric tests (root, namespaces). $1: build dir (default ./build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LOOM_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
cd "$ROOT/tests/fabric"
exec /usr/bin/python3 -m unittest -v test_default_fabric test_split_fabric test_fat_tree
