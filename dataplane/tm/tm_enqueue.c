/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager enqueue. Reads: the packet's DSCP and ECN bits (IPv4
 * TOS / IPv6 traffic class), the egress port's classes, the switch's
 * shared buffer, the ingress port's PFC state. Sets: the class queue, CE
 * on ECN-capable packets the marker picks (IPv4 checksum updated), the
 * ingress port's PFC bytes (and a PAUSE to send when they reach xoff),
 * m->hash.sched (see tm.h); or drops the packet on the egress port under
 * queue_full, buffer_full, wred, pfc_headroom or (a lossless class, the
 * shared buffer full, or in real time its switch's queue reserve
 * exhausted: tm_queue_reserve.c) lossless_drop. A packet of a trim class that would
 * be dropped is trimmed instead when it can be (tm_trim.c).
 *
 * ECN uses loom/tm/ecn_mark.h rather than rte_red: rte_red counts the
 * queue in packets and ages its average in TSC cycles, while switches and
 * DCQCN's thresholds count bytes, and the virtual-time runner needs the
 * same code to run on nanoseconds it passes in (see ecn_mark.h).
 */
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "loom/traffic/rng.h"
#include "pkt_drop.h"
#include "tm.h"

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_IPV6 0x86dd
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_QINQ 0x88a8

/* Where the IP header is and what it says about class and ECN. */
struct tm_pkt_class {
	uint16_t l3_off;  /* 0: not IP */
	uint8_t dscp;
	uint8_t ecn;      /* the 2 ECN bits */
	bool v6;
};

static inline void tm_read_class(const uint8_t *d, uint32_t len, struct tm_pkt_class *pc)
{
	uint32_t off = 12;
	uint16_t et;

	*pc = (struct tm_pkt_class){0};
	if (len < 14)
		return;
	et = (uint16_t)(d[off] << 8 | d[off + 1]);
	if (likely(et == ETH_TYPE_IPV4 && len >= 14 + 20)) { /* untagged IPv4: most of the traffic */
		pc->l3_off = 14;
		pc->dscp = d[15] >> 2;
		pc->ecn = d[15] & 3;
		return;
	}
	for (int tags = 0; tags < 2 && (et == ETH_TYPE_VLAN || et == ETH_TYPE_QINQ) && off + 6 <= len; tags++) {
		off += 4;
		et = (uint16_t)(d[off] << 8 | d[off + 1]);
	}
	off += 2;
	if (et == ETH_TYPE_IPV4 && off + 20 <= len) {
		pc->l3_off = (uint16_t)off;
		pc->dscp = d[off + 1] >> 2;
		pc->ecn = d[off + 1] & 3;
		pc->v6 = false;
	} else if (et == ETH_TYPE_IPV6 && off + 40 <= len) {
		uint8_t tc = (uint8_t)((d[off] & 0x0f) << 4 | d[off + 1] >> 4);

		pc->l3_off = (uint16_t)off;
		pc->dscp = tc >> 2;
		pc->ecn = tc & 3;
		pc->v6 = true;
	}
}

static inline void tm_mark_ce(uint8_t *d, const struct tm_pkt_class *pc)
{
	tm_set_ce(d + pc->l3_off, pc->v6);
}

static inline uint32_t tm_rand(struct tm_switch *ts)
{
	return ts->rng = loom_xorshift32(ts->rng);
}

static inline unsigned int hist_bucket(uint64_t bytes)
{
	unsigned int b = 0;
	uint64_t edge = 1500;

	while (b < TM_HIST_BUCKETS - 1 && bytes >= edge) {
		b++;
		edge *= 4;
	}
	return b;
}

static void tm_drop(struct loom_port *out, struct rte_mbuf *m, enum loom_drop_reason r, uint64_t *counter)
{
	(*counter)++;
	pkt_drop(out, m, r);
}

/* A lossy class drops m (reason r, counted in *counter) unless the class
 * trims (cfg.trim) and m can be trimmed. Out of line: drops are rare. */
static __attribute__((noinline)) void tm_lossy_drop(struct loom_switch *sw, struct loom_port *out, struct tm_port *t,
						    struct rte_mbuf *m, uint16_t l3_off, uint16_t in_port, int cls,
						    enum loom_drop_reason r, uint64_t *counter)
{
	if ((t->cfg.trim & (1u << cls)) && tm_trim(sw, t, m, l3_off, in_port))
		return;
	tm_drop(out, m, r, counter);
}

/* PFC send side: account the packet to (ingress port, class) when that
 * class is lossless on the ingress port (it = its traffic manager).
 * Returns false when it must be dropped (headroom exhausted). */
static bool tm_pfc_account(struct loom_switch *sw, struct tm_port *it, struct rte_mbuf *m, uint16_t in_port,
			   int cls, uint32_t len, loom_time_ns now)
{
	uint16_t quanta;
	enum loom_pfc_action a;
	uint64_t hr_before;

	hr_before = it->pfc[cls].st.headroom_pkts;
	a = loom_pfc_on_enqueue(&it->pfc[cls], &it->pfc_cfg, len, now, &quanta);
	if (a == LOOM_PFC_DROP_HEADROOM)
		return false;
	if (a == LOOM_PFC_SEND_PAUSE) {
		it->st.pfc_tx_pause++;
		tm_pfc_request(sw, &sw->ports[in_port], cls, quanta);
	}
	if (it->pfc[cls].st.headroom_pkts != hr_before) {
		it->st.headroom_pkts++;
		it->st.headroom_bytes += len;
		if (it->pfc[cls].st.headroom_peak > it->st.headroom_peak)
			it->st.headroom_peak = it->pfc[cls].st.headroom_peak;
	}
	m->hash.sched.color = 1;
	return true;
}

/* Whether the class is lossless on the ingress port is checked here, in
 * line: for lossy classes (most packets) that is all there is to do. */
static inline bool tm_pfc_admit(struct loom_switch *sw, struct rte_mbuf *m, uint16_t in_port, int cls, uint32_t len,
				loom_time_ns now)
{
	struct tm_port *it;

	if (in_port == TM_NO_INGRESS || (it = sw->ports[in_port].tm) == NULL || !(it->cfg.lossless & (1u << cls)))
		return true;
	return tm_pfc_account(sw, it, m, in_port, cls, len, now);
}

/* Inlined into the burst loop: a call per packet costs more than its body's
 * setup (the loads of the port's and switch's state are then shared). */
static inline __attribute__((always_inline)) void tm_enqueue_one(struct loom_switch *sw, struct loom_port *out, struct tm_port *t, uint16_t in_port,
			   struct rte_mbuf *m, loom_time_ns now)
{
	struct tm_switch *ts = sw->tm;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct tm_pkt_class pc;
	struct tm_queue *q;
	int cls;
	bool lossless;

	tm_read_class(d, rte_pktmbuf_data_len(m), &pc);
	/* Not IP (ARP replies the switch makes): the top class, as network
	 * control, so that neighbour resolution survives congestion. */
	cls = pc.l3_off ? loom_dscp_to_class(&t->cfg.dscp, pc.dscp) : t->n_classes - 1;
	q = &t->q[cls];
	lossless = (t->cfg.lossless & (1u << cls)) != 0;
	/* one store: ingress port, class, not counted for PFC (yet) */
	m->hash.sched = (struct rte_mbuf_sched){.queue_id = in_port, .traffic_class = (uint8_t)cls, .color = 0};

	q->st.in_pkts++;
	q->st.in_bytes += len;
	q->st.hist[hist_bucket(q->bytes)]++;
	q->st.depth_sum += q->bytes;

	/* Limits. A lossless class has no limit of its own, in bytes or
	 * packets: PFC's xoff and headroom bound it, its queue grows when it
	 * must, and only a full buffer can drop it (lossless_drop). */
	if (!lossless) {
		if (unlikely(t->n_pkts >= TM_PORT_PKTS) || q->bytes + len > q->limit) {
			tm_lossy_drop(sw, out, t, m, pc.l3_off, in_port, cls, LOOM_DROP_QUEUE_FULL, &q->st.drop_tail);
			return;
		}
	} else if (unlikely(q->count > q->mask) && tm_queue_grow(ts, q) < 0) {
		tm_drop(out, m, LOOM_DROP_LOSSLESS_DROP, &q->st.drop_lossless);
		return;
	}
	/* PFC watchdog, action drop: the stormed class takes nothing */
	if (lossless && unlikely(q->wd.stormed) && loom_pfc_wd_drops(&q->wd, &t->cfg.pfc_wd)) {
		tm_drop(out, m, LOOM_DROP_PFC_WATCHDOG, &q->wd.st.drops);
		return;
	}
	if (lossless) {
		if (unlikely(ts->buf.used + len > ts->buf.size)) {
			tm_drop(out, m, LOOM_DROP_LOSSLESS_DROP, &q->st.drop_lossless);
			return;
		}
		ts->buf.used += len; /* headroom is taken whatever the threshold */
	} else if (loom_buffer_admit(&ts->buf, q->bytes, len, ts->alpha_log2) != LOOM_BUFFER_ADMIT) {
		tm_lossy_drop(sw, out, t, m, pc.l3_off, in_port, cls, LOOM_DROP_BUFFER_FULL, &q->st.drop_buffer);
		return;
	}
	if (!tm_pfc_admit(sw, m, in_port, cls, len, now)) {
		loom_buffer_release(&ts->buf, len);
		tm_drop(out, m, LOOM_DROP_PFC_HEADROOM, &q->st.drop_headroom);
		return;
	}
	switch (loom_ecn_decide(&q->ecn_st, &q->ecn, (uint32_t)q->bytes, pc.l3_off && pc.ecn != 0, tm_rand(ts),
				now)) {
	case LOOM_ECN_ENQUEUE_MARK:
		if (pc.ecn != 3) {
			tm_mark_ce(d, &pc);
			q->st.ecn_marked++;
		}
		break;
	case LOOM_ECN_DROP_WRED:
		loom_buffer_release(&ts->buf, len);
		if (m->hash.sched.color)
			tm_pfc_release(sw, m, len, now);
		tm_lossy_drop(sw, out, t, m, pc.l3_off, in_port, cls, LOOM_DROP_WRED, &q->st.drop_wred);
		return;
	default:
		break;
	}
	tm_queue_push(t, q, m, len);
}

void tm_enqueue_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		      uint16_t n, loom_time_ns now)
{
	for (uint16_t i = 0; i < n; i++)
		tm_enqueue_one(sw, out, out->tm, in_port, pkts[i], now);
}
