/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's multi-plane NIC: one interface per plane of a
 * multi-plane fabric (each plane an independent Clos), and the choice of
 * plane for each packet of a flow, as multi-plane AI NICs spread a flow:
 *
 *   flow     a flow keeps one plane (its id modulo the planes; the next
 *            plane up when that one is down)
 *   flowlet  a flow changes plane after a gap of flowlet_gap_ns in its
 *            sending: to the plane whose link frees first (ties: the
 *            next after its current one)
 *   packet   each packet on the next plane up, round robin per flow
 *   weighted smooth weighted round robin per flow, each plane weighted
 *            by its congestion feedback: an EWMA (gain 1/16) of the
 *            feedback that came back over it (a CNP or an ECN-echoing ACK
 *            counts 1, an ACK without echo 0), decaying by 1/16 every
 *            55 us without feedback (DCQCN's alpha timer); weight
 *            1 - congestion, at least 1/16 so a plane keeps its probes
 *
 * Addresses: interface p has its own MAC and IPv4 address in plane p's
 * leaf subnet and its own gateway; a packet on plane p goes from the
 * sender's plane-p address to the receiver's plane-p address, so each
 * plane's routes carry it. A receiver returns feedback (ACKs, CNPs) over
 * the plane the data came in on, so a sender learns each plane's
 * congestion from where the feedback arrives. Plane 0's interface is the
 * host's own (loom_gen_host.mac/ipv4/gw_mac/sw/port): a single-plane
 * host has no NIC structure and pays nothing.
 *
 * Serialization: the host's link rate is the sum of its planes' rates
 * (a flow without a rate sends at it) and each plane's link carries one
 * packet at a time at its own rate: a packet starts when it is due, the
 * NIC is free and its plane's link is free.
 *
 * A plane whose link is down (the host's own link to the leaf: a link
 * fault, docs/FAULTS.md) loses carrier at once, as a NIC sees loss of
 * signal: no packet chooses it until it is back, and its traffic moves
 * to the planes up. Virtual time only: the runner (runner_virtual.c)
 * puts each packet on the link of the plane chosen and reports carrier.
 */
#ifndef LOOM_GEN_PLANE_H
#define LOOM_GEN_PLANE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "loom/clock.h"

struct rte_mbuf;
struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_rx_flow;
struct loom_gen_feedback;

#define LOOM_GEN_MAX_PLANES 16 /* the topology's TOPO_MAX_PLANES */

enum loom_gen_plane_spread {
	LOOM_GEN_SPREAD_FLOW = 0,
	LOOM_GEN_SPREAD_FLOWLET,
	LOOM_GEN_SPREAD_PACKET,
	LOOM_GEN_SPREAD_WEIGHTED,
};

#define LOOM_GEN_CONGESTION_ONE 65536u /* congestion is a fraction of this */

struct loom_gen_plane {
	struct rte_ether_addr mac, gw_mac;
	uint32_t ipv4;          /* network order */
	uint16_t sw, port;      /* leaf and port (UINT16_MAX until linked) */
	uint64_t rate_bps, delay_ns;
	bool up;                /* carrier */
	loom_time_ns link_free; /* its link finishes its current packet */
	uint32_t congestion;    /* EWMA of the feedback's marks, of LOOM_GEN_CONGESTION_ONE */
	loom_time_ns last_feedback;
	/* counters */
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
	uint64_t rx_feedback, rx_marked; /* feedback that came back over it; CNPs and echoes */
	uint64_t carrier_losses;
};

struct loom_gen_nic {
	uint8_t n_planes, spread; /* enum loom_gen_plane_spread */
	uint8_t last_plane;       /* the plane of the packet transmit built last (the runner's) */
	uint8_t rx_plane;         /* the plane of the packet being received (feedback goes back over it) */
	loom_time_ns flowlet_gap_ns;
	struct loom_gen_plane plane[LOOM_GEN_MAX_PLANES];
};

/* A flow's state and counters per plane: tx for the sender's, rx for the
 * receiver's (allocated for hosts with a NIC only). */
struct loom_gen_flow_plane {
	uint64_t packets, bytes;
	uint64_t reordered;     /* rx: arrived after a higher sequence number (over any plane) */
	loom_time_ns first, last;
	int64_t wrr;            /* tx, weighted: the smooth round robin's current weight */
	uint32_t src_ipv4;      /* rx: the sender's plane address (where feedback goes) */
	uint32_t dst_ipv4;      /* tx: the receiver's plane address */
};

struct loom_gen_flow_planes {
	uint8_t cur;            /* tx: the flow's plane (flow, flowlet), the last one (packet) */
	loom_time_ns last_tx;   /* tx: when it last sent (flowlets) */
	struct loom_gen_flow_plane p[];
};

int loom_gen_plane_spread_parse(const char *s);
const char *loom_gen_plane_spread_name(int spread);

/* The plane the flow's next packet takes if it starts at `start` (no
 * state changes: next_tx_time and transmit ask the same). */
unsigned int loom_gen_plane_pick(const struct loom_gen_host *h, const struct loom_gen_tx_flow *f, loom_time_ns start);
/* A data packet m of flow f leaves on plane pl at `start`: its addresses
 * become the plane's, the plane's link is busy, the counters count. */
void loom_gen_plane_sent(struct loom_gen_host *h, struct loom_gen_tx_flow *f, unsigned int pl, struct rte_mbuf *m,
			 loom_time_ns start);
/* A feedback packet for fb leaves at `start`: over the plane its data came in on. */
void loom_gen_plane_feedback_sent(struct loom_gen_host *h, const struct loom_gen_feedback *fb, struct rte_mbuf *m,
				  loom_time_ns start);
/* The plane whose address is `ipv4` (network order), or -1. */
int loom_gen_plane_of(const struct loom_gen_host *h, uint32_t ipv4);
/* Receiver: a data packet of r arrived over plane pl. */
void loom_gen_plane_rx(struct loom_gen_host *h, struct loom_gen_rx_flow *r, unsigned int pl, uint32_t wire,
		       bool reordered, loom_time_ns now);
/* Sender: feedback arrived over plane pl; `marked`: a CNP or an ECN echo. */
void loom_gen_plane_on_feedback(struct loom_gen_host *h, unsigned int pl, bool marked, loom_time_ns now);
/* The carrier of plane pl's link: 1 when it changed. */
int loom_gen_plane_carrier(struct loom_gen_host *h, unsigned int pl, bool up);

#endif
