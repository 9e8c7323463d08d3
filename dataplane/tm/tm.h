/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress traffic manager: the glue between a port's packets and the
 * algorithms of scheduler/ (shaper.h, queue_sched.h, ecn_mark.h, pfc.h),
 * as Linux's sch_red.c is to red.h.
 *
 * A packet routed to port P:
 *   tm_enqueue.c  class from DSCP -> limits (port packets, class bytes,
 *                 shared buffer with dynamic threshold) -> PFC accounting
 *                 on its ingress port -> ECN mark / WRED drop -> class queue
 *   tm_dequeue.c  pending PFC frame first, then the class the scheduler
 *                 picks (strict priority, then DRR), among classes not
 *                 paused by a received PFC, while the shaper allows
 *   tm_pfc.c      PFC frames received (hold a class) and sent (XOFF/XON
 *                 per ingress port and class, refreshed by a timer)
 *
 * A port with `enabled: false` has no tm_port: egress/port_output.c keeps
 * a FIFO (egress/port_fifo.h) with no classes and no shaping.
 *
 * Every mbuf in a class queue carries in m->hash.sched (the field DPDK
 * reserves for its own scheduler): queue_id = ingress port (or
 * TM_NO_INGRESS for packets the switch made), traffic_class = class,
 * color = 1 when it is counted in its ingress port's PFC bytes.
 */
#ifndef LOOM_TM_H
#define LOOM_TM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_prefetch.h>

#include "loom/tm/block_buddy.h"
#include "loom/tm/ecn_mark.h"
#include "loom/tm/pfc.h"
#include "loom/tm/pfc_watchdog.h"
#include "loom/tm/queue_sched.h"
#include "loom/tm/shaper.h"
#include "loom/tm/tm_config.h"

#include "drop_reason.h"

struct rte_mbuf;
struct rte_mempool;
struct loom_switch;
struct loom_port;

#define TM_NO_INGRESS 0xffffu
/* Depth histogram of a class: the queue each arriving packet finds, in
 * bytes, bucket b holding [1500 * 4^(b-1), 1500 * 4^b) (bucket 0: below
 * one 1500-byte packet; the last: everything above). */
#define TM_HIST_BUCKETS 8

struct tm_queue_stats {
	uint64_t in_pkts, in_bytes;
	uint64_t out_pkts, out_bytes;
	uint64_t ecn_marked;
	uint64_t drop_tail;     /* class byte limit or port packet limit */
	uint64_t drop_wred;     /* WRED drop profile (non-ECT) */
	uint64_t drop_buffer;   /* shared buffer: dynamic threshold or full */
	uint64_t drop_headroom; /* lossless class over xoff + headroom */
	uint64_t drop_lossless; /* lossless class: shared buffer full, or no memory to grow the queue */
	uint64_t trimmed;       /* packets of this class trimmed (moved to the trim DSCP's class) */
	uint64_t depth_max;     /* bytes */
	uint64_t hist[TM_HIST_BUCKETS];
	uint64_t depth_sum;     /* bytes: the queue each arrival found, summed (mean: / in_pkts) */
	uint64_t paused_ns;     /* time held by received PFC */
	uint64_t grows;         /* lossless: times the queue moved to twice its entries */
};

struct tm_queue {
	struct rte_mbuf **pkts; /* circular, mask + 1 entries (TM_PORT_PKTS; a lossless class grows) */
	/* Their lengths, beside them: the scheduler and the shaper look at a
	 * queue's head length at every dequeue and next_tx_time, and reading
	 * it from the (cold) mbuf was a cache miss per packet in large
	 * fabrics. Frames are single-segment, so they fit in 16 bits. */
	uint16_t *lens;
	uint32_t head, count;
	uint32_t mask;          /* entries - 1, a power of two */
	uint64_t bytes;
	uint32_t limit;         /* bytes */
	struct loom_ecn_cfg ecn;
	struct loom_ecn_state ecn_st;
	struct loom_pfc_hold hold; /* receive side: this class paused on this port */
	struct loom_pfc_wd wd;     /* PFC watchdog of this class on this port */
	struct tm_queue_stats st;
	/* The TM_PORT_PKTS entries it starts with (loom_queue_arena): a
	 * queue grown from its switch's reserve returns to them when it
	 * empties. heap: grown with rte_malloc (virtual time). */
	struct rte_mbuf **pkts_first;
	uint16_t *lens_first;
	bool heap;
};

/* Packets one port holds in its lossy classes (the mbuf pool is sized for
 * it, like the FIFO it replaces). A lossless class has no packet cap: the
 * shared buffer's bytes and PFC bound it, and its queue grows (doubling,
 * tm_queue_grow) past TM_PORT_PKTS when it must: in real time from its
 * switch's reserve made at set-up (tm_queue_reserve.c), never the heap;
 * that also needs mbufs beyond the port's share of the pool. */
#define TM_PORT_PKTS 512
/* A reserve's smallest block: a queue's first growth. */
#define TM_RESERVE_BLOCK_MIN (2 * TM_PORT_PKTS)

/* Entries real-time lossless queues of one switch grow into (tm_queue_reserve.c). */
struct tm_queue_reserve {
	struct loom_buddy buddy;   /* in blocks of TM_RESERVE_BLOCK_MIN entries */
	struct rte_mbuf **pkts;    /* [entries] */
	uint16_t *lens;
	uint32_t entries;
	uint64_t in_use, peak;     /* entries held by grown queues */
	uint64_t grows;            /* blocks handed out */
	uint64_t refused;          /* growths refused: exhausted (the packet dropped, lossless_drop) */
};

struct tm_port_stats {
	uint64_t pfc_tx_frames;   /* PFC frames sent out of this port */
	uint64_t pfc_rx_frames;   /* PFC frames received on it (obeyed, at least in part) */
	uint64_t pfc_rx_lossy;    /* class entries of obeyed frames naming a lossy class: ignored */
	uint64_t pfc_tx_pause;    /* XOFF transitions of its (port, class) pairs */
	uint64_t pfc_tx_resume;   /* XON transitions */
	uint64_t pfc_tx_refresh;  /* PAUSEs re-sent while congested */
	uint64_t pfc_alloc_fail;  /* no mbuf for a PFC frame (retried) */
	uint64_t headroom_pkts;   /* accepted above xoff (peer did not stop) */
	uint64_t headroom_bytes;
	uint64_t headroom_peak;
	uint64_t trimmed;         /* packets trimmed on this port instead of dropped (tm_trim.c) */
};

struct tm_port {
	struct loom_tm_cfg cfg;   /* this port's settings (runtime changes land here) */
	uint64_t rate_bps;        /* the link rate scaled by time_scale; 0: not shaped */
	struct loom_shaper shaper;
	struct loom_qsched qs;
	uint8_t n_classes;
	uint8_t pfc_pending;      /* classes in the PFC frame to send (0: none);
				   * beside n_pkts: tm_queued reads both, for
				   * every port after every input in virtual time */
	uint32_t n_pkts;
	uint64_t bytes;
	struct tm_queue q[LOOM_TM_CLASSES];
	/* Send side of PFC: bytes that came in on this port, per class, still
	 * in the switch; and the PAUSE frame waiting to go out of it. */
	struct loom_pfc_cfg pfc_cfg;
	struct loom_pfc_state pfc[LOOM_TM_CLASSES];
	uint16_t pfc_quanta[LOOM_TM_CLASSES];
	struct tm_port_stats st;
};

struct tm_switch {
	uint64_t buffer_bytes;
	int8_t alpha_log2;
	struct loom_buffer buf;
	uint32_t rng;             /* xorshift32 state for RED draws */
	struct rte_mempool *ctrl_pool; /* PFC frames */
	/* Real time: where lossless queues grow (NULL: no lossless class at
	 * set-up, or virtual time, which grows them on the heap). */
	struct tm_queue_reserve *reserve;
	uint64_t heap_grows;      /* growths allocated with rte_malloc (virtual time only) */
	loom_time_ns now;         /* of the receive call in progress (the
				   * stages that enqueue are not passed it) */
};

/* ---- setup (tm_setup.c) ---- */

/* Give port `p` a traffic manager with settings `cfg` (finalized) at the
 * link's scaled rate. 0 or -1 (out of memory). */
int tm_port_create(struct loom_port *p, const struct loom_tm_cfg *cfg, uint64_t rate_scaled, loom_time_ns now);
void tm_port_free(struct loom_port *p);
/* The pool of PFC frames every switch's TM builds from (one per fabric,
 * sized by its ports). NULL without memory. */
struct rte_mempool *tm_ctrl_pool_create(uint32_t n_ports);
int tm_switch_create(struct loom_switch *sw, const struct loom_tm_cfg *cfg, unsigned int id,
		     struct rte_mempool *ctrl_pool);
void tm_switch_free(struct loom_switch *sw);
/* Real time, a switch with a lossless class: make its queue reserve
 * (tm_queue_reserve.c) from its buffer size, unless it has one. A later
 * `tm set buffer` replaces it with one of the new size
 * (tm_queue_reserve_move, ctl/ctl_tm.c). 0 or -1. */
int tm_switch_reserve(struct loom_switch *sw);
/* Re-apply p->tm->cfg after a change at run time (rates, limits, ECN,
 * scheduler, PFC thresholds). Queued packets stay. */
void tm_port_apply(struct loom_port *p, loom_time_ns now);

/* ---- data path ---- */

void tm_enqueue_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		      uint16_t n, loom_time_ns now);
/* The data the port may send now (the PFC frame is taken apart, first:
 * tm_pfc_take). */
uint16_t tm_dequeue_burst(struct loom_switch *sw, struct loom_port *p, struct rte_mbuf **out, uint16_t max,
			  loom_time_ns now);
/* The port's pending PFC frame, built now and charged to its shaper; NULL
 * when none is pending (or no mbuf: it stays pending). */
struct rte_mbuf *tm_pfc_take(struct loom_switch *sw, struct loom_port *p, loom_time_ns now);
loom_time_ns tm_next_tx_time(const struct loom_port *p, loom_time_ns now);

/* Put m (len bytes) at the tail of q. */
static inline void tm_queue_push(struct tm_port *t, struct tm_queue *q, struct rte_mbuf *m, uint32_t len)
{
	q->pkts[(q->head + q->count) & q->mask] = m;
	q->lens[(q->head + q->count) & q->mask] = (uint16_t)len;
	q->count++;
	q->bytes += len;
	if (q->bytes > q->st.depth_max)
		q->st.depth_max = q->bytes;
	t->n_pkts++;
	t->bytes += len;
}

/* A full lossless queue doubles its arrays (tm_setup.c): from the switch's
 * reserve in real time, on the heap in virtual time. 0, or -1 without
 * memory (the caller drops the packet as lossless_drop). */
int tm_queue_grow(struct tm_switch *ts, struct tm_queue *q);

/* ---- the real-time reserve (tm_queue_reserve.c) ---- */

/* A reserve for a switch of `buffer_bytes` shared buffer; NULL without memory. */
struct tm_queue_reserve *tm_queue_reserve_create(uint64_t buffer_bytes);
void tm_queue_reserve_free(struct tm_queue_reserve *r);
/* Its size for `buffer_bytes` (tm_queue_reserve_size.c): log2 of its
 * blocks of TM_RESERVE_BLOCK_MIN, its entries, and the DPDK memory it
 * takes (loomd's estimate before EAL, loom_tm_reserve_needed_bytes). */
unsigned int tm_queue_reserve_levels(uint64_t buffer_bytes);
uint32_t tm_queue_reserve_entries(uint64_t buffer_bytes);
uint64_t tm_queue_reserve_bytes(uint64_t buffer_bytes);
/* On the worker: every queue of sw grown from its reserve moves into `to`
 * (new, empty), which then becomes sw's reserve (counters carried over);
 * the caller frees the old one. -1 when `to` is too small for them:
 * nothing changed. *in_use: the entries they hold. */
int tm_queue_reserve_move(struct loom_switch *sw, struct tm_queue_reserve *to, uint64_t *in_use);
/* Move q (full) to a block twice its size; -1 (counted in r->refused) when none is left. */
int tm_queue_reserve_grow(struct tm_queue_reserve *r, struct tm_queue *q);
/* q grew from r and is empty: its block back to r, q on its first arrays. */
void tm_queue_reserve_shrink(struct tm_queue_reserve *r, struct tm_queue *q);

/* Set CE (both ECN bits) in the IP header at `ip`. IPv4: the header
 * checksum changes by the difference of the first 16-bit word (RFC 1624:
 * HC' = ~(~HC + ~m + m')). Used by the TM and the cell fabric's VOQs. */
static inline void tm_set_ce(uint8_t *ip, bool v6)
{
	if (v6) {
		ip[1] |= 0x30;
		return;
	}
	uint16_t old_w = (uint16_t)(ip[0] << 8 | ip[1]);
	uint16_t new_w = (uint16_t)(old_w | 3);
	uint16_t hc = (uint16_t)(ip[10] << 8 | ip[11]);
	uint32_t sum = (uint16_t)~hc + (uint32_t)(uint16_t)~old_w + new_w;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	hc = (uint16_t)~sum;
	ip[1] = (uint8_t)new_w;
	ip[10] = (uint8_t)(hc >> 8);
	ip[11] = (uint8_t)hc;
}

/* ---- trimming (tm_trim.c) ---- */

/* Cut m (its IP header at l3_off) to LOOM_TM_TRIM_BYTES, still a valid
 * IPv4/UDP packet, its DSCP set to `dscp` (ECN bits kept). false, m
 * untouched, when it cannot be trimmed: not IPv4/UDP, a fragment, not
 * longer than the trim size, more than one segment. Also the cell
 * fabric's VOQs' (dataplane/cell/cell_voq_cc.c). */
bool tm_trim_cut(struct rte_mbuf *m, uint16_t l3_off, uint8_t dscp);

/* A packet of a trim class (cfg.trim) that would be dropped: cut to
 * LOOM_TM_TRIM_BYTES, marked with cfg.trim_dscp and queued in that DSCP's
 * class, when it is an IPv4/UDP packet longer than that and the class
 * takes it. true when queued (counted); false: the caller drops it. */
bool tm_trim(struct loom_switch *sw, struct tm_port *t, struct rte_mbuf *m, uint16_t l3_off, uint16_t in_port);

/* ---- PFC (tm_pfc.c) ---- */

/* A PFC frame (`frame`: its first byte) arrived on `in`: hold its
 * lossless classes, unless the watchdog says the class is stormed.
 * Returns LOOM_DROP_NONE when obeyed (the caller counts it answered), or
 * why it was not (pfc_not_multicast, pfc_disabled, pfc_lossy: the caller
 * drops it). `pfc` points at the
 * class-enable vector (after the opcode). */
enum loom_drop_reason tm_pfc_receive(struct loom_switch *sw, struct loom_port *in, const uint8_t *frame,
				     const uint8_t *pfc, loom_time_ns now);
/* Ask for a PAUSE (quanta > 0) or RESUME (0) of `cls` out of port `p`. */
void tm_pfc_request(struct loom_switch *sw, struct loom_port *p, int cls, uint16_t quanta);
/* Build the pending PFC frame of `p`; NULL when none or no mbuf. */
struct rte_mbuf *tm_pfc_build(struct loom_switch *sw, struct loom_port *p);
/* Refresh PAUSEs of congested (port, class) pairs; the next time one is due. */
loom_time_ns tm_run_timers(struct loom_switch *sw, loom_time_ns now);
/* A packet counted in its ingress port's PFC bytes left the switch. */
void tm_pfc_release(struct loom_switch *sw, struct rte_mbuf *m, uint32_t len, loom_time_ns now);

/* The head packet of every non-empty class and its length, asked for
 * ahead of a dequeue (loom_switch_prefetch_transmit). */
static inline void tm_prefetch_heads(const struct tm_port *t)
{
	for (int c = 0; c < t->n_classes; c++) {
		const struct tm_queue *q = &t->q[c];

		if (q->count) {
			rte_prefetch0(q->pkts[q->head]);
			rte_prefetch0(&q->lens[q->head]);
		}
	}
}

static inline uint32_t tm_queued(const struct tm_port *t)
{
	return t->n_pkts + (t->pfc_pending != 0);
}

#endif
