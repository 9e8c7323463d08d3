/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch-scheduled (cell) fabric in loomd (docs/CELLS.md): the glue
 * between mbufs and ports and the algorithms of scheduler/ (voq.h,
 * credit_sched.h, cell.h, cell_reasm.h, cell_spray.h).
 *
 * A packet that a leaf routes to a host of the fabric:
 *   cell_ingress.c  directory (dst address -> egress leaf, port, next hop)
 *                   -> TTL, MAC rewrite for the host -> VOQ (egress leaf,
 *                   port, class) -> REQUEST to the egress port
 *   cell_egress.c   REQUEST -> the port's credit scheduler; its timer
 *                   issues CREDITs at the port's rate
 *   cell_ingress.c  CREDIT -> whole packets out of the VOQ, cut into DATA
 *                   cells sprayed over the live spine uplinks (a host on
 *                   the same leaf: the packet, uncut, onto its port)
 *   cell_spine.c    any cell -> a live port toward its destination leaf:
 *                   down when the switch reaches the leaf below it, else
 *                   up, sprayed over the super-spines that reach it
 *                   (control cells before data)
 *   cell_egress.c   DATA -> reassembly per VOQ -> the packet, rebuilt, on
 *                   the host port's output queue (port_output_burst)
 *   cell_voq_cc.c   a VOQ's ECN marks by its depth and trimming when full
 *                   (the egress port's TM settings; docs/CELLS.md)
 * Requests and credits between a leaf's own VOQs and ports are calls, not
 * cells (through the hooks local_request/local_credit). cell_wire.c builds and reads cell frames, dispatches received
 * ones, queues control cells on the port's control queue
 * (egress/ctrl_queue.h, sent before anything else), and runs the timers;
 * cell_mode.c plugs all this into the switch as its mode; cell_setup.c
 * loads the configuration; cell_reach.c computes which ports reach which
 * leaf from the links that are up; cell_faults.c takes fabric links out
 * and back.
 * Everything else (local traffic, ARP, addresses that are not a leaf's
 * host) takes the switch's own forwarding (native or P4), unchanged.
 */
#ifndef LOOM_CELL_FABRIC_H
#define LOOM_CELL_FABRIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "loom/cell/cell.h"
#include "loom_output_file.h"
#include "loom/cell/cell_reasm.h"
#include "loom/cell/cell_spray.h"
#include "loom/cell/credit_sched.h"
#include "loom/cell/voq.h"
#include "loom/tm/ecn_mark.h"
#include "switch.h"

struct rte_hash;
struct rte_mempool;
struct rte_ring;
struct json_t;
struct loom_fabric;
struct loom_pkt_meta;

#define CELL_MAX_CLASSES 8
#define CELL_CTRLQ_SIZE 1024
#define CELL_NO_LEAF 0xffffu
/* Ports of a spine or super-spine toward one leaf (below it). */
#define CELL_MAX_DOWN_PORTS 32
/* A cell frame's headers: Ethernet, then the cell header (loom/cell/cell.h). */
#define CELL_FRAME_HDR (RTE_ETHER_HDR_LEN + LOOM_CELL_HDR_LEN)

/* The `cell` object of loomd's configuration (docs/LOOMD_CONFIG.md). */
struct cell_cfg {
	uint16_t payload;          /* DATA payload bytes */
	uint32_t credit_bytes;
	uint8_t spray;             /* enum loom_spray_mode */
	uint64_t voq_limit;        /* bytes per VOQ */
	uint32_t voq_pkts;         /* packets per VOQ (the FIFO of mbufs) */
	uint8_t n_classes;         /* VOQs per (leaf, port): class = DSCP >> 3, capped */
	uint16_t weight[CELL_MAX_CLASSES];
	loom_time_ns reasm_timeout_ns;
	uint32_t reasm_window;     /* cells, a power of two */
	loom_time_ns request_refresh_ns; /* re-ask when no credit came this long (lost control cells) */
	uint32_t pool_cells;       /* mbufs of the cell pool */
	uint64_t egress_limit;     /* bytes queued on a host port above which its credits pause */
	bool egress_limit_set;     /* given; else per port (cell_port.egress_limit) */
	uint64_t uplink_limit;     /* bytes queued on an uplink above which a VOQ does not cut more cells */
	uint32_t standing_credit;  /* bytes a VOQ may send ahead of its credit (loom/cell/voq.h) */
	/* ECN at the VOQs (cell_voq_cc.c): RED from ecn_kmin to ecn_kmax bytes
	 * of the VOQ (equal: a step), probability 1 at kmax; both 0: each VOQ
	 * takes the ECN settings of its egress port's TM class */
	uint64_t ecn_kmin, ecn_kmax;
	/* capture: frames sent out of (switch, port) into a pcap file */
	bool capture;
	uint16_t capture_sw, capture_port;
	char capture_file[256];
	uint64_t capture_max_bytes; /* the file stops growing there (said once) */
};

/* Where a destination address is: its leaf, host port, and the frame's
 * MACs there (the egress leaf's next hop). */
struct cell_dest {
	uint16_t leaf;
	uint16_t port;
	struct loom_nexthop nh;
};

/* Fabric-wide state: the configuration, the leaf numbering, the directory. */
struct cell_fabric {
	struct cell_cfg cfg;
	uint16_t n_leaves;
	uint16_t *leaf_switch;      /* leaf number -> switch index */
	uint16_t max_ports;         /* over the leaves */
	loom_time_ns rtt_ns;        /* a request's round trip over the longest leaf-to-leaf path's
				     * links (cell_setup.c): the window of a VOQ's requests ahead */
	struct rte_hash *dir4;      /* IPv4 host address -> index into dests */
	struct rte_hash *dir6;      /* IPv6 host address -> index into dests */
	struct cell_dest *dests;
	uint32_t n_dests;
	struct rte_mempool *cell_pool;
	struct rte_mempool *pkt_pool; /* where rebuilt packets come from: the pool the cut ones came from */
	/* virtual time: grow pkt_pool when it is empty, as the generator
	 * hosts do (runner_virtual.c sets it; 1 when it grew), NULL: it cannot */
	int (*pool_grow)(void *ctx);
	void *pool_grow_ctx;
	struct loom_fabric *fabric;
	/* A leaf's own VOQs and ports: a REQUEST or CREDIT between them is a
	 * call (cell_send_ctrl), not a cell. The wire layer calls up through
	 * these (set by cell_setup.c), so that it imports neither side. */
	void (*local_request)(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now);
	void (*local_credit)(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now);
};

/* How a VOQ takes part in congestion control (cell_voq_cc.c), settled
 * when it is made from its egress port's traffic manager (the queue the
 * VOQs of that port stand in for) and `cell:`'s ECN thresholds. */
struct cell_voq_cc {
	struct loom_ecn_cfg ecn;
	struct loom_ecn_state ecn_st;
	bool trim;                 /* the egress port's TM trims this packet class */
	uint8_t trim_dscp;
	uint8_t dscp;              /* of its first packet: its class at the egress port's TM */
	uint64_t marked, trimmed;  /* packets CE-marked, trimmed instead of dropped */
};

struct cell_voq {
	struct loom_voq acct;
	struct rte_mbuf **q;       /* circular, cfg.voq_pkts */
	uint32_t head;
	uint32_t next_seq;         /* of the next DATA cell */
	loom_time_ns last_credit_ns; /* or of the last request, when none since */
	bool held_back;            /* has credit and packets, but the uplinks are full: the timer retries */
	uint16_t dst_leaf, dst_port;
	uint8_t cls;
	struct cell_voq_cc cc;
	/* per ingress port, packets held (m->port): the VOQ's sources, sent
	 * with its requests (cell.h) so that credits are shared per sender */
	uint32_t *src_pkts;        /* [max_ports] */
	uint16_t n_src;
};

struct cell_reasm_ctx {
	struct loom_reasm r;
	struct loom_switch *sw;
	uint16_t dst_port;
	loom_time_ns now; /* of the cell being added (a trace's reassembly event) */
};

struct cell_port_stats {
	uint64_t data_tx;  /* DATA cells sent */
	uint64_t ctrl_tx;  /* REQUEST/CREDIT cells sent */
	uint64_t data_rx;
	uint64_t ctrl_rx;
};

struct cell_port {
	int16_t peer_leaf;         /* leaf number of the switch on the other end, -1: none */
	int16_t uplink;            /* index among the switch's uplinks (leaf: to spines, spine: to
				    * super-spines), -1: not one */
	bool is_fabric_link;       /* a leaf-spine or spine-superspine link (either end) */
	bool down;
	struct rte_ether_addr peer_mac;
	struct loom_credit_sched *credit; /* leaf host port: its credit scheduler */
	uint64_t egress_limit;     /* leaf host port: bytes queued above which its credits pause */
	uint64_t rtt_bytes;        /* leaf host port: what it sends in one fabric round trip */
	FILE *capture;             /* cell_capture.c: what the port sends, as pcapng */
	struct loom_output_cap capture_cap;
	struct cell_port_stats st;
};

/* Counters of the cell paths; the conservation equation of a cell-mode
 * switch (docs/CELLS.md) adds them to the packet counters:
 *   rx + generated + made = tx + answered + dropped + queued + consumed
 * made     = DATA cells cut + control cells sent + packets rebuilt
 * consumed = packets cut + DATA cells rebuilt into packets + control cells taken
 * queued  += packets in VOQs + cells held for reassembly (control cells
 *            waiting are in the ports' queued already). */
struct cell_counters {
	uint64_t pkts_to_voq;
	uint64_t pkts_cut;
	uint64_t cells_cut;
	uint64_t requests_tx, credits_tx;   /* control cells made */
	uint64_t requests_rx, credits_rx;   /* control cells taken */
	uint64_t request_bytes, credit_bytes_granted, credit_bytes_rx;
	uint64_t request_refreshes;         /* re-asked after request_refresh_ns without credit */
	uint64_t held_back;                 /* times a VOQ with credit waited for uplink room */
	uint64_t credit_bytes_unused;       /* given up by a waiting VOQ over its cap (4 credits) */
	uint64_t cells_rebuilt, pkts_rebuilt;
	uint64_t cells_forwarded;           /* spine: cells passed on (counted in tx) */
	uint64_t cells_up;                  /* spine: of those, sent up to a super-spine */
	uint64_t local_pkts;                /* sent by credit to a host on the same leaf, uncut */
	uint64_t local_requests, local_credits; /* between the leaf's own VOQs and ports: calls, not cells */
	uint64_t voq_marked;                /* packets CE-marked at a VOQ */
	uint64_t voq_trimmed;               /* full VOQ: trimmed and sent at once instead of dropped */
	uint64_t voq_dropped;               /* full VOQ: dropped (voq_full) */
};

struct loom_cell_switch {
	struct cell_fabric *fab;
	uint16_t leaf;             /* leaf number, CELL_NO_LEAF on spines and super-spines */
	struct cell_port *ports;   /* [n_ports] */
	/* uplinks: a leaf's to spines, a spine's to super-spines (none on a super-spine) */
	uint8_t n_uplinks;
	uint16_t uplink_port[LOOM_SPRAY_MAX_UPLINKS];
	struct loom_spray spray;
	/* uplink i reaches leaf L: bit i of reach[L] (cell_reach.c: the
	 * switch above reaches L over links that are up) */
	uint64_t *reach;           /* [n_leaves] */
	struct cell_voq **voq;     /* [n_leaves * max_ports * n_classes], allocated on first use */
	uint32_t n_voq_slots;
	uint32_t n_held_back;      /* VOQs waiting for uplink room */
	uint32_t held_rr;          /* where the next round over them starts */
	loom_time_ns retry_ns;     /* how soon they look again: one cell on the slowest uplink */
	struct cell_reasm_ctx **reasm; /* same indexing, by source leaf */
	/* spine, super-spine: ports down toward each leaf (a spine's links to
	 * it; a super-spine's links to the spines that link to it), and which
	 * of them reach it now (bit j: leaf_ports[L][j], cell_reach.c) */
	uint16_t **leaf_ports;     /* [n_leaves][CELL_MAX_DOWN_PORTS] */
	uint8_t *n_leaf_ports;
	uint8_t *leaf_rr;
	uint32_t *down_live;       /* [n_leaves] */
	uint32_t rng;              /* xorshift32 for the VOQs' RED draws (seeded by leaf: deterministic) */
	struct cell_counters c;
};

/* ---- setup (cell_setup.c) ---- */
/* The `cell` object of the configuration (after the switches are
 * loaded): returns 0 (also when there is none) or -1 with a message. */
int loom_cell_load(struct loom_fabric *f, struct json_t *root, char *err, size_t errlen);
void loom_cell_free(struct loom_fabric *f);
/* MB of memory the cell pool of this configuration takes (loomd's estimate). */
unsigned int loom_cell_needed_mb(const struct json_t *root);

/* ---- the mode (cell_mode.c): a leaf's and a spine's hooks into the
 * switch (core/switch_mode.h) ---- */
extern const struct loom_switch_mode cell_leaf_mode;
extern const struct loom_switch_mode cell_spine_mode;
static inline bool cell_is_frame(const struct rte_ether_hdr *eth)
{
	return eth->ether_type == RTE_BE16(LOOM_CELL_ETHERTYPE);
}
/* A cell frame arrived on `port`: takes the mbuf. */
void cell_receive(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, loom_time_ns now);
/* Timers: credits, reassembly timeouts, request refresh. */
loom_time_ns cell_run_timers(struct loom_switch *sw, loom_time_ns now);
/* Packets in VOQs + cells held for reassembly. */
uint64_t cell_queued(const struct loom_switch *sw);

/* ---- leaf (cell_ingress.c, cell_egress.c) ---- */
void cell_leaf_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
		       const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now);
void cell_ingress_credit(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now);
loom_time_ns cell_ingress_timers(struct loom_switch *sw, loom_time_ns now);
void cell_egress_request(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now);
void cell_egress_data(struct loom_switch *sw, struct loom_port *in, const struct loom_cell_hdr *h,
		      struct rte_mbuf *m, loom_time_ns now);
loom_time_ns cell_egress_timers(struct loom_switch *sw, loom_time_ns now);

/* ---- VOQs in congestion control (cell_voq_cc.c) ---- */
/* Settle a new VOQ's ECN and trimming from its egress port (switch
 * `egress`, port q->dst_port) for a packet of DSCP `dscp`. */
void cell_voq_cc_init(struct loom_switch *sw, struct cell_voq *q, const struct loom_switch *egress, uint8_t dscp);
/* `tm set` on leaf `egress` (on the worker): every leaf's VOQs toward its
 * ports take its ports' new settings (ECN state and counters kept). */
void cell_voq_cc_follow_tm(const struct loom_switch *egress);
/* A packet the VOQ takes: CE-marked when the VOQ's depth says so (an
 * ECN-capable IPv4/IPv6 packet; counted). */
void cell_voq_cc_admit(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m,
		       const struct loom_pkt_meta *meta, loom_time_ns now);
/* A packet the full VOQ cannot take: cut to its headers (valid IPv4/UDP,
 * tm/tm_trim.c) when its class trims; true then (counted; the caller
 * sends it at once), false: the caller drops it. */
bool cell_voq_cc_trim(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m,
		      const struct loom_pkt_meta *meta);
/* The VOQ emptied: RED's average decays while it stays so. */
void cell_voq_cc_empty(struct cell_voq *q, loom_time_ns now);

/* ---- reachability (cell_reach.c) ---- */
/* From the fabric links that are up (cell_port.down), for every switch:
 * which down ports reach each leaf, which uplinks reach it, which uplinks
 * are live. At load and after every link change. */
void cell_reach_update(struct cell_fabric *cf);

/* ---- spine and super-spine (cell_spine.c) ---- */
void cell_spine_forward(struct loom_switch *sw, struct loom_port *in, const struct loom_cell_hdr *h,
			struct rte_mbuf *m);

/* ---- wire (cell_wire.c) ---- */
/* A control cell (REQUEST or CREDIT) to leaf h->dst_leaf, out of a live
 * uplink; to the leaf itself, a call (its own VOQ or port). */
void cell_send_ctrl(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now);
/* Put a cell frame on `port` toward its peer: Ethernet header rewritten,
 * control cells on the port's control queue (egress/ctrl_queue.h: they go
 * before the rest), DATA on its output queue. */
void cell_port_send(struct loom_switch *sw, uint16_t port, struct rte_mbuf *m, bool ctrl);
/* Uplink for a cell to leaf `dst` (spray over the live ones reaching it),
 * on a leaf or a spine; -1 when none. */
int cell_pick_uplink(struct loom_switch *sw, uint16_t dst);

/* ---- capture (cell_capture.c) ---- */
/* Created without following a symlink, 0644 (users read captures),
 * api/loom_output_file.h; NULL with the reason in err. */
FILE *cell_capture_open(const char *path, const char *link, uint64_t max_bytes, struct loom_output_cap *cap, char *err,
			size_t errlen);
/* Whole records only: the one that would pass the cap is not written,
 * nor any after it. */
void cell_capture_write(FILE *f, struct loom_output_cap *cap, struct rte_mbuf *const *pkts, uint16_t n,
			loom_time_ns now);

/* ---- faults (cell_faults.c) ---- */
/* What a fabric link (leaf-spine, spine-superspine) going down or up
 * means to the cells, once the switches detect it (dataplane/fault/ calls
 * it; the link's frames are dropped from the moment it breaks,
 * core/link_fault.h). Take the link at (switch, port) down or up: every
 * switch's reachability is computed again (cell_reach.c), so that no
 * switch sends a cell toward a leaf over a path through it; what was
 * queued on it at both ends is dropped (link_down). 0, or -1 when the
 * port is not a fabric link. */
int loom_cell_link_set(struct loom_fabric *f, uint16_t sw, uint16_t port, bool up, loom_time_ns now);

#endif
