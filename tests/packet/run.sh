#!/bin/sh
# Packet tests of one switch through DPDK pcap ports (scapy).
#   tests/packet/run.sh [BUILD_DIR]      (default: build; relative to the project root)
# Needs root (loomd) and Debian's python3-scapy, hence /usr/bin/python3.
# LOOM_KEEP_TMP=1 keeps the temporary pcaps, config and loomd log.
set -eu
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
PY=/usr/bin/python3

for f in "$BUILD_DIR/dataplane/loomd" "$BUILD_DIR/control/loomctl"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f not found; build first: meson setup $BUILD_DIR && ninja -C $BUILD_DIR" >&2
		exit 2
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: loomd needs root" >&2
	exit 2
fi
if ! "$PY" -c 'import scapy' 2>/dev/null; then
	echo "run.sh: $PY cannot import scapy (apt-get install python3-scapy)" >&2
	exit 2
fi

export LOOM_BUILD_DIR="$BUILD_DIR"
"$PY" tests/packet/test_switch_packets.py
exec "$PY" tests/packet/test_lb_packets.py
