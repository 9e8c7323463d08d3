/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Watching packets go by: a packet trace (`loomctl trace`) and port
 * captures (`loomctl capture`), one set per fabric (docs/TRACE.md).
 *
 * Off, they cost one branch per burst: loom_switch_receive and
 * loom_switch_transmit test sw->observe, NULL unless a trace or a capture
 * runs (loom_observe_apply sets it on every switch, on the worker). On:
 *  - receive (pipeline/observed_receive.c): captures of the port take a
 *    copy of each frame; a packet is traced when it carries this trace's
 *    mark, or when it is claimed: it arrives at the trace's switch (and
 *    port), matches its expression, and the count is not reached. Traced
 *    packets go one at a time through the staged path, which records what
 *    each stage decided; the others take the usual path, in order.
 *  - transmit (loom_observe_transmit): captures of the port, and a traced
 *    packet's departure.
 *  - while anything is observed, cut-through is off (the port's wire is
 *    lent back on stop): every packet leaves through loom_switch_transmit,
 *    where transmit captures and the trace see it.
 *
 * The mark: a dynamic mbuf flag (reset when DPDK hands out a buffer) and a
 * dynamic field holding (session, packet). A traced packet keeps them on
 * the in-memory links between switches of this loomd (the mbuf itself
 * moves), and through delay lines, both runners and a cell fabric's cells
 * (cell code copies the mark onto the cells and the rebuilt packet), so
 * it is followed hop by hop without matching again: re-matching at every
 * hop would also take other packets of the same flow, and could not tell
 * two copies of one flow's packet apart. A packet that leaves loomd (to a
 * host, or to another loomd with --only) ends its trace there.
 *
 * Threads: the worker writes everything here; the control thread starts,
 * stops and copies a trace through the mailbox, and drains a capture's
 * full slots through two single-producer single-consumer rte_rings.
 */
#ifndef LOOM_OBSERVE_H
#define LOOM_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "fabric.h"
#include "pkt_filter.h"
#include "switch.h"

/* Packets one trace may hold (`count` above it is refused), and the
 * events each may record (more are counted in events_lost). */
#define LOOM_TRACE_PACKETS_MAX 256
#define LOOM_TRACE_EVENTS 64
/* Members whose queue depth an lb event shows. */
#define LOOM_TRACE_LB_MEMBERS 8

enum loom_trace_kind {
	LOOM_TR_RX,          /* arrived at (sw, port) */
	LOOM_TR_ROUTE,       /* route lookup and TTL */
	LOOM_TR_LB,          /* the group's member, by its policy */
	LOOM_TR_ENQUEUE,     /* onto the egress port's queues (or dropped there) */
	LOOM_TR_TX,          /* left (sw, port) */
	LOOM_TR_DROP,        /* dropped, counted on (sw, port) */
	LOOM_TR_ANSWERED,    /* the switch answered it (ARP, ND, echo to the gateway, PFC obeyed) */
	LOOM_TR_FORWARDED,   /* the mode forwarded it (a P4 program): out port only */
	LOOM_TR_VOQ,         /* cell fabric: into a VOQ for another leaf */
	LOOM_TR_CELLS,       /* cell fabric: cut into cells */
	LOOM_TR_CELL_RX,     /* cell fabric: one of its cells arrived */
	LOOM_TR_REASSEMBLED, /* cell fabric: rebuilt at the egress leaf */
	LOOM_TR_TABLE,       /* a mode's own step (a P4 program's table): core/switch_mode.h */
	LOOM_TR_KINDS
};

const char *loom_trace_kind_name(enum loom_trace_kind k);

struct loom_trace_event {
	loom_time_ns t;
	uint16_t sw, port;
	uint8_t kind;   /* enum loom_trace_kind */
	uint8_t reason; /* DROP: enum loom_drop_reason */
	union {
		struct {
			uint16_t len;
			uint8_t ttl, ecn, l3_kind, l4_proto;
		} rx;
		struct {
			uint32_t group; /* UINT32_MAX: no route */
			uint16_t n_members;
			uint8_t ttl_out;
		} route;
		struct {
			uint32_t hash;
			uint16_t policy, member, n_members, nh_port;
			uint32_t queued_bytes[LOOM_TRACE_LB_MEMBERS]; /* of the members' ports, before */
			uint8_t n_explain; /* the policy's own inputs (lb_policy.h explain) */
			const char *explain_name[4];
			int64_t explain_value[4];
		} lb;
		struct {
			int8_t cls;        /* traffic-manager class, -1: FIFO (no TM) */
			bool admitted;
			bool ecn_marked;   /* CE set by the egress queue */
			bool pfc_paused;   /* the class is held by a PFC pause from the peer */
			bool pfc_xoff;     /* the ingress port has sent XOFF for the class */
			uint32_t depth_pkts;
			uint64_t depth_bytes; /* of the class (or the FIFO) before it */
		} enq;
		struct {
			uint16_t leaf, dst_port;
			uint8_t cls;
			uint32_t depth_bytes;
		} voq;
		struct {
			uint16_t n_cells;
			uint32_t first_seq;
			uint16_t uplinks[LOOM_TRACE_LB_MEMBERS]; /* port of each of the first cells */
		} cells;
		struct {
			uint32_t seq;
			uint16_t src_leaf;
		} cell;
		struct loom_mode_step step;
	} u;
};

struct loom_trace_packet {
	uint32_t id;          /* 1.. in its trace */
	uint16_t n_events;
	uint16_t events_lost;
	struct loom_pkt_meta first; /* the parse where it was claimed */
	struct loom_trace_event ev[LOOM_TRACE_EVENTS];
};

struct loom_trace {
	bool on;               /* claiming and recording */
	uint32_t session;      /* 1.., the mark's high half */
	uint16_t sw;           /* where packets are claimed */
	int32_t port;          /* -1: any port of sw */
	uint32_t count;        /* packets to claim */
	uint32_t n_packets;    /* claimed so far */
	struct loom_filter filter;
	struct loom_trace_packet pkts[LOOM_TRACE_PACKETS_MAX];
};

/* Captures: at most this many at once; slots of LOOM_CAPTURE_SNAP bytes
 * (longer frames are cut, their length kept). */
#define LOOM_CAPTURES_MAX 4
#define LOOM_CAPTURE_SLOTS 1024
#define LOOM_CAPTURE_SNAP 2048

enum { LOOM_CAP_RX = 1, LOOM_CAP_TX = 2 };

struct loom_capture_slot {
	loom_time_ns t;
	uint32_t len, caplen;
	uint8_t dir; /* LOOM_CAP_RX or LOOM_CAP_TX */
	uint8_t data[LOOM_CAPTURE_SNAP];
};

struct loom_capture {
	bool on;
	uint32_t id;     /* 1.., unique in this loomd */
	uint16_t sw, port;
	uint8_t dir;     /* LOOM_CAP_RX | LOOM_CAP_TX */
	bool filtered;   /* filter not empty */
	struct loom_filter filter;
	uint64_t count;  /* frames to take, 0: until stopped */
	uint64_t taken;  /* frames taken (written or lost) */
	uint64_t lost;   /* taken while every slot was full (the reader is behind) */
	/* Real time: slots the worker fills go to `full`, the control thread
	 * drains them and gives them back through `free_slots`. Virtual time:
	 * `sink` gets each frame at once (no slots). */
	struct rte_ring *free_slots, *full;
	struct loom_capture_slot *slots;
	void (*sink)(void *ctx, const struct loom_capture_slot *s);
	void *sink_ctx;
	uint64_t last_read_ns; /* control thread: when a reader last drained it */
};

struct loom_observe {
	struct loom_fabric *fabric;
	uint64_t mark_flag;  /* the dynamic mbuf flag */
	int mark_offset;     /* the dynamic field: session << 16 | packet id */
	struct loom_trace *trace; /* NULL: none yet */
	struct loom_capture cap[LOOM_CAPTURES_MAX];
	uint32_t next_capture_id;
	uint32_t next_session;
	struct loom_wire *lent; /* [switch * 256 + port]: wires taken back while observing */
	/* Bytes of a frame a capture keeps: LOOM_CAPTURE_SNAP, or fewer where
	 * packets hold fewer (virtual time's short buffers keep a frame's
	 * first bytes only: runner/vt_pool.h); the rest is not the frame's. */
	uint32_t snap;
	bool applied;
};

/* Set up observation for a fabric (registers the mbuf mark): 0, or -1
 * with a message. Nothing is observed until a trace or capture starts. */
int loom_observe_create(struct loom_fabric *f, struct loom_observe **out, char *err, size_t errlen);
void loom_observe_free(struct loom_observe *o);
/* Worker: point every switch at `o` when a trace or a capture is on, at
 * NULL otherwise, and take back / lend again the ports' wires. */
void loom_observe_apply(struct loom_observe *o);
bool loom_observe_active(const struct loom_observe *o);

/* --- on the worker, while sw->observe != NULL --- */

/* Captures of (sw, port) in direction dir take these frames at `now`;
 * `meta` (may be NULL: parsed here when a filter needs it). */
void loom_capture_frames(struct loom_observe *o, const struct loom_switch *sw, uint16_t port, uint8_t dir,
			 struct rte_mbuf *const *pkts, uint16_t n, loom_time_ns now);

/* The packet's trace record, when it carries this trace's mark; NULL otherwise. */
static inline struct loom_trace_packet *loom_trace_of(const struct loom_observe *o, const struct rte_mbuf *m)
{
	uint32_t mark;

	if (!(m->ol_flags & o->mark_flag) || o->trace == NULL || !o->trace->on)
		return NULL;
	mark = *RTE_MBUF_DYNFIELD(m, o->mark_offset, const uint32_t *);
	if (mark >> 16 != (o->trace->session & 0xffff) || (mark & 0xffff) == 0 ||
	    (mark & 0xffff) > o->trace->n_packets)
		return NULL;
	return &o->trace->pkts[(mark & 0xffff) - 1];
}

/* The same for code that also runs outside the receive handler (a cell
 * fabric's cutting on credit, its reassembly): by the fabric's observation. */
static inline struct loom_trace_packet *loom_trace_of_fabric(const struct loom_fabric *f, const struct rte_mbuf *m)
{
	const struct loom_observe *o = f->observe;

	return unlikely(o != NULL && o->applied) ? loom_trace_of(o, m) : NULL;
}

/* Claim a packet arriving at (sw, port) parsed as `meta` for the trace,
 * if it is the trace's switch and port, matches and the count is not
 * reached: marks it and returns its record; NULL otherwise. */
struct loom_trace_packet *loom_trace_claim(struct loom_observe *o, const struct loom_switch *sw, uint16_t port,
					   struct rte_mbuf *m, const struct loom_pkt_meta *meta);
/* Copy the mark of `from` onto `to` (a cell of it, the packet rebuilt from cells). */
static inline void loom_trace_mark_copy(const struct loom_observe *o, const struct rte_mbuf *from, struct rte_mbuf *to)
{
	if (from->ol_flags & o->mark_flag) {
		to->ol_flags |= o->mark_flag;
		*RTE_MBUF_DYNFIELD(to, o->mark_offset, uint32_t *) = *RTE_MBUF_DYNFIELD(from, o->mark_offset, const uint32_t *);
	}
}
/* A new event of packet p (the last slot is reused once they run out,
 * counting events_lost): filled with t, sw, port and kind. */
struct loom_trace_event *loom_trace_event(struct loom_trace_packet *p, enum loom_trace_kind kind,
					  const struct loom_switch *sw, uint16_t port, loom_time_ns t);

/* loom_switch_transmit: what (sw, port) sends at `now`. */
void loom_observe_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf *const *pkts, uint16_t n,
			   loom_time_ns now);

#endif
