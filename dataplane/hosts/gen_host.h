/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host: a traffic endpoint inside loomd, attached to a leaf
 * port like a namespace host but without a kernel in the way. It sends
 * the flows of its loom_flow_spec list at exact rates and measures what it
 * receives, per flow.
 *
 * Like the switch, it is a set of handlers with time passed in, driven by
 * a runner (real-time: ports/ generator port kind; virtual-time:
 * runner_virtual.c):
 *   loom_gen_host_next_tx_time() - when it next has a packet to send
 *   loom_gen_host_transmit()     - build the packets due at `now`
 *   loom_gen_host_receive()      - packets arrived from its leaf at `now`
 *
 * Sending: each flow is paced at its rate: the packet that starts after
 * `sent` wire bytes is due at start + ceil(sent * 8e9 / rate) (integer
 * math, no drift). An on/off flow (spec.burst_bytes, spec.idle_ns) sends
 * bursts of B = ceil(burst_bytes / payload per packet) packets: packet n
 * is due idle_ns x floor(n / B) later than that, so between the last
 * packet of a burst and the first of the next the flow waits its pacing
 * gap plus idle_ns (at its link's rate: idle_ns of silence on the wire). The host's own link (its NIC) is busy for the
 * serialization time of each packet at the link rate, so the flows of a
 * host share it; among flows due at once, the one due earliest goes
 * first (ties: the lower flow index). Packets are IPv4/UDP (or UDP 4791
 * with a BTH: RoCEv2-like), addressed to the leaf's gateway MAC (given in
 * the configuration: generator hosts resolve nothing), carrying a
 * loom_gen_payload (flow id, sequence number, send time).
 *
 * Collectives: a flow whose spec.start is LOOM_WL_START_CHAINED
 * (scheduler/include/loom/traffic/workload.h) in phase p of collective c starts
 * when every flow of phase p-1 of c that this host receives has completed
 * (its start becomes that time); with none to wait for, at time 0.
 *
 * Receiving: per flow, packets, bytes, the highest sequence number seen,
 * packets that arrived after a higher sequence number (reordered), CE
 * marks, one-way latency (min/sum/max of now - send time), first and last
 * arrival. Sent minus received (lost, or still on the way) is computed in
 * the results (gen_results.c).
 *
 * Here: the host's handlers only. Its state and its flows' (struct
 * loom_gen_host, loom_gen_tx_flow, loom_gen_rx_flow, loom_gen_payload) are
 * in gen_state.h, which the components these handlers call (gen_cc.h,
 * gen_transport.h, gen_feedback.h, ...) read instead of this header.
 */
#ifndef LOOM_GEN_HOST_H
#define LOOM_GEN_HOST_H

#include "loom/clock.h"
#include "loom/traffic/rng.h"
#include "gen_state.h"

struct rte_mbuf;

/* Earliest time >= now at which the host has a packet it may send
 * (LOOM_TIME_NEVER when all its flows are done). */
loom_time_ns loom_gen_host_next_tx_time(const struct loom_gen_host *h, loom_time_ns now);

/* Build up to `max` packets that may leave by `now`, back to back on the
 * host's link. Returns how many; the caller puts them on the wire. Each
 * packet's departure time is its due time or the end of the previous
 * packet's serialization, whichever is later (in virtual time: `now`). */
uint16_t loom_gen_host_transmit(struct loom_gen_host *h, struct rte_mbuf **out, uint16_t max, loom_time_ns now);

/* Packets arrived from the leaf at `now`; the host takes and frees them.
 * Returns non-zero when the host may have to send earlier than it said
 * (chained phases released, feedback queued, a window reopened): the
 * runner then asks next_tx_time again. */
uint32_t loom_gen_host_receive(struct loom_gen_host *h, struct rte_mbuf **pkts, uint16_t n, loom_time_ns now);

/* Sets every flow's first due time: call once before running. */
void loom_gen_host_start(struct loom_gen_host *h);

/* Host jitter, for the virtual-time runner: the extra time (0 .. J-1 ns,
 * from the host's seeded generator) its next packet takes to reach the
 * leaf, on top of the link's delay (the runner keeps the host's packets
 * in order). Models the host's latency noise; without it, senders at equal
 * rates stay in lockstep, meet a full queue in the same order every time,
 * and one of them takes every drop (Floyd and Jacobson's phase effects). */
static inline loom_time_ns loom_gen_host_tx_jitter(struct loom_gen_host *h)
{
	if (!h->jitter_ns)
		return 0;
	h->rng = loom_xorshift64(h->rng);
	return h->rng % h->jitter_ns;
}

#endif
