#!/bin/bash
# Lab 6's traffic and fault: h0-h3 (leaf0) each send TCP to h4-h7 (leaf1)
# over both planes (to h4's plane-0 address 10.0.1.2 through eth0 and its
# plane-1 address 10.1.1.2 through eth1), 8 flows for 20 s, with iperf3's
# per-second reports in OUT/flow-PLANE-HOST.json. At 6 s leaf0's two
# plane-1 uplinks go down (plane 1 is lost at leaf0), at 13 s they come
# back. Usage: traffic.sh OUT
# Plane 0's flows leave from fixed ports (iperf3 --cport) that leaf0's ECMP
# hash puts two on each uplink: with ephemeral ports, three flows could
# share one uplink in one run and not in the next (the lab is about planes,
# not about hashing: lab 1 is). loomd's record of whether it kept its
# schedule is saved around the run (OUT/status-before.json, -after.json).
set -eu
out=$1
mkdir -p "$out"
cport=(40001 40000 40002 40003)   # h0-h3 -> leaf0's uplinks 4, 5, 4, 5 (tests/lb_flow_member)
loomctl status --json > "$out/status-before.json"
for i in 0 1 2 3; do
  for p in 0 1; do
    loomctl exec "h$((i + 4))" -- iperf3 -s -1 -D -p $((5300 + 10 * p + i))
  done
done
sleep 0.5
for i in 0 1 2 3; do
  for p in 0 1; do
    pin=()
    [ "$p" -eq 0 ] && pin=(--cport "${cport[$i]}")
    loomctl exec "h$i" -- iperf3 -c "10.$p.1.$((i + 2))" -p $((5300 + 10 * p + i)) "${pin[@]}" -t 20 -J \
      > "$out/flow-$p-h$i.json" &
  done
done
sleep 6
loomctl link p1-leaf0:4 down
loomctl link p1-leaf0:5 down
sleep 7
loomctl link p1-leaf0:4 up
loomctl link p1-leaf0:5 up
wait
loomctl status --json > "$out/status-after.json"
