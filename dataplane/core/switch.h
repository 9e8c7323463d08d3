/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch as the pipeline sees it: ports, routes, next hops, counters.
 *
 * The switch is a set of handlers (pipeline/switch_receive.h, egress/):
 *   loom_switch_receive()  - packets arrived on a port at time `now`
 *   loom_switch_transmit() - a port may send at time `now`: take packets
 * It owns its output queues and counters, and never asks how it is driven:
 * the runner (real-time poll loop, or the virtual-time event loop) moves
 * packets between the wire and these handlers and passes the time in.
 */
#ifndef LOOM_SWITCH_H
#define LOOM_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "loom/clock.h"
#include "drop_reason.h"
#include "switch_mode.h"

struct rte_mbuf;
struct rte_ring;
struct rte_fib;
struct rte_fib6;
struct loom_lpm;
struct loom_route_table;
struct loom_pkt_meta;
struct loom_switch;
struct loom_port;
struct loom_p4;
struct loom_lb;
struct loom_cell_switch;
struct loom_conga_switch;
struct loom_observe;
struct port_fifo;
struct egress_ctrlq;

struct loom_link_fault;
struct tm_port;
struct tm_switch;

#define LOOM_NAME_MAX 32
#define LOOM_BURST 32
/* Spare groups per switch for the repair after faults (loom_switch.spare_groups_first). */
#define LOOM_REPAIR_SPARE_GROUPS 8

enum loom_role { LOOM_ROLE_LEAF, LOOM_ROLE_SPINE, LOOM_ROLE_SUPERSPINE };

/* "leaf", "spine", "superspine": as the configuration spells it. */
static inline const char *loom_role_name(enum loom_role r)
{
	return r == LOOM_ROLE_LEAF ? "leaf" : r == LOOM_ROLE_SPINE ? "spine" : "superspine";
}

struct loom_port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets; /* handed to the port's link or driver */
	uint64_t tx_bytes;
	uint64_t drops[LOOM_DROP_MAX]; /* attributed to the ingress port, except the egress queue
					* drops (queue_full, wred, buffer_full, pfc_headroom) */
};

/* A port's wire as the switch may use it for cut-through (see
 * fifo_output_burst, egress/egress.h): `send` hands packets straight to
 * the driver and returns how many it took. Set in real time when the
 * ports are bound (ports/port_setup.c says for which); `send` NULL: the
 * port always queues, and the runner transmits. */
struct loom_wire {
	uint16_t (*send)(void *ctx, struct rte_mbuf **pkts, uint16_t n);
	void *ctx;
};

struct loom_port {
	uint16_t index;
	char name[LOOM_NAME_MAX];    /* what is on the other end: "h0", "spine1:3" */
	struct rte_ether_addr mac;   /* this port's own MAC (source of frames we send) */
	bool host_facing;            /* answers ARP/ND and ICMP echo for its gateway */
	/* Host-facing ports: the gateway addresses and the host subnet for which
	 * the port answers ARP/NS (proxy-ARP inside the subnet, so that hosts on
	 * the same leaf reach each other through the switch). Network order. */
	uint32_t gw_v4;
	uint32_t subnet_v4;
	uint8_t subnet_v4_len;
	uint8_t gw_v6[16];
	uint8_t subnet_v6[16];
	uint8_t subnet_v6_len;
	uint64_t rate_bps;           /* link rate from the topology (traffic manager) */
	uint64_t delay_ns;           /* propagation delay from the topology */
	/* The link's MTU: the largest IP packet it carries. Ingress drops a
	 * longer one (mtu_exceeded); max_plain_frame is the same limit for an
	 * untagged frame, which the IPv4 fast path compares. mtu_below_switch:
	 * another port of the switch has a larger MTU, so a packet may come in
	 * that this port cannot send: egress/port_output.c checks, and only
	 * then. */
	uint16_t mtu;
	uint16_t max_plain_frame;
	bool mtu_below_switch;
	struct port_fifo *outq;      /* output FIFO when the traffic manager is off (egress/) */
	struct tm_port *tm;          /* traffic manager (dataplane/tm/), NULL: FIFO */
	struct egress_ctrlq *ctrlq;  /* control frames, sent before the rest (egress/); NULL: none */
	struct loom_wire wire;       /* cut-through while the FIFO is empty (ports/port_setup.c) */
	bool reorder_measured;       /* leaf host port: reordering counted here (lb/lb_switch.h) */
	/* The link's fault (core/link_fault.h), set by dataplane/fault/ while
	 * the link is down or lossy, NULL otherwise: the one thing receive and
	 * transmit check for faults. */
	struct loom_link_fault *fault;
	struct loom_port_counters c;
};

/* Where a route sends a packet: out of `port`, to `dst_mac`. The egress
 * port's own MAC follows it, in Ethernet header order, so that the MAC
 * rewrite is one 12-byte copy. */
struct loom_nexthop {
	struct rte_ether_addr dst_mac;
	struct rte_ether_addr src_mac; /* = ports[port].mac */
	uint16_t port;
};

/* An ECMP group: `n_members` consecutive entries of loom_switch.members,
 * each an index into loom_switch.nexthops. A single next hop is a group of 1.
 * `policy` picks the member (loom/lb/lb_policy.h registry id; 0 = ecmp, served
 * inline; its state is in loom_switch.lb). */
struct loom_group {
	uint32_t first;
	uint16_t n_members;
	uint16_t policy;
};

struct loom_switch_counters {
	uint64_t answered;  /* received packets the switch answered itself (ARP, NS, echo request) */
	uint64_t generated; /* packets the switch created (ARP/NA/echo replies) */
	uint64_t fast_path; /* received packets the IPv4 fast path served (pipeline/ipv4_fast_path.c) */
};

struct loom_switch {
	char name[LOOM_NAME_MAX];
	uint16_t id;
	enum loom_role role;
	uint8_t plane;
	uint32_t hash_seed;
	uint32_t hash_flow_label_mask; /* 0xfffff: the IPv6 flow label is part of the flow hash
					* (load_balancing.hash_flow_label), else 0 */

	uint16_t n_ports;
	struct loom_port *ports;

	/* Route tables: value = group index, or fib_no_route when nothing
	 * matches (the largest value the table's next-hop width holds).
	 * fib4/fib6 NULL: that family is in `lpm` (loom/route/lpm.h). All
	 * copied from `routes`, which switches with the same routes share
	 * (core/route_table.h: changed only by loom_switch_route_set). */
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	uint64_t fib4_no_route;
	uint64_t fib6_no_route;
	const struct loom_lpm *lpm;
	struct loom_route_table *routes;
	/* Changes loom_switch_route_set made: a reader that keeps its own
	 * index of the routes (fault/fault_repair.c) sees when they moved
	 * under it. */
	uint32_t routes_changed;
	uint32_t n_groups;
	struct loom_group *groups;
	/* Groups from here to n_groups are spares, empty until the control
	 * plane's repair fills one with the live members of a route's group
	 * (dataplane/fault/fault_repair.c); routes of the configuration name
	 * only groups below it. */
	uint32_t spare_groups_first;
	uint32_t n_members;
	uint32_t *members;
	uint32_t n_nexthops;
	struct loom_nexthop *nexthops;

	struct loom_lb *lb; /* load balancing: group policies, member counters (lb/lb_switch.h) */

	struct loom_switch_counters c;

	const struct loom_switch_mode *mode; /* native, P4 or cell (core/switch_mode.h) */
	struct loom_p4 *p4;      /* the SWX pipeline of a `pipeline: p4` switch */
	struct tm_switch *tm;        /* shared buffer, PFC frames; NULL when no port has a TM */
	struct loom_cell_switch *cell; /* cell fabric (dataplane/cell/): VOQs, credits, cells; NULL: packets only */
	struct loom_conga_switch *conga; /* CONGA's overlay (dataplane/conga/): leaf tables, DREs; NULL: none */
	/* Set by the data path when it armed a timer sooner than the runner
	 * may know (a credit scheduler that got its first request): the
	 * real-time runner then asks loom_switch_run_timers() again and
	 * clears it (the virtual-time runner asks after every input anyway). */
	bool timers_armed;
	/* A trace or a capture is on (trace/observe.h): NULL otherwise, and
	 * then the receive and transmit handlers test it once per burst. */
	struct loom_observe *observe;
};

/*
 * Conservation, which tests check on every switch:
 *   sum(rx_packets) + generated
 *     = sum(tx_packets) + answered + sum(drops) + sum(queued)
 * where queued counts the output FIFO or the traffic manager's class
 * queues plus a PFC frame waiting to go, and answered includes PFC frames
 * received (the switch obeys them; they are not forwarded). A switch of a
 * cell fabric adds what its cell code made (cells, rebuilt packets) on the
 * left and what it consumed and holds (VOQs, reassembly) on the right
 * (docs/CELLS.md, "Conservation").
 */

/* Handlers. Receive and the switch's timers: pipeline/switch_receive.h
 * (which the runners include); the transmit side: egress/egress.h. */

#endif
