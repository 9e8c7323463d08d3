/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Priority flow control (802.1Qbb) frames, both ways.
 *
 * Received (pkt_parse.c recognises Ethertype 0x8808 opcode 0x0101): obeyed
 * only when sent to 01:80:C2:00:00:01, on a port with PFC on (a lossless
 * class), and only for its lossless classes; else dropped as
 * pfc_not_multicast, pfc_disabled or pfc_lossy (lossy entries of an obeyed
 * frame: pfc_rx_lossy). Each obeyed class is held for quanta x 512 bit
 * times at the link's (scaled) rate, unless the PFC watchdog
 * (loom/tm/pfc_watchdog.h) has declared it stormed: then the PAUSE is
 * ignored and, with action drop, the class's new packets are dropped
 * (pfc_watchdog) until no PAUSE came for the restore time. The dequeue
 * skips held classes. An obeyed frame is consumed, counted as answered.
 *
 * Sent: per (ingress port, lossless class) the bytes that came in that way
 * and are still in the switch; at xoff a PAUSE goes out of that ingress
 * port, at xon a RESUME (quanta 0). One frame per port carries every class
 * that has something to say; it goes out ahead of the data queues. While a
 * class stays above xon its PAUSE is refreshed (every half pause time):
 * from the data path (each packet of that pair that arrives or leaves) and
 * from tm_run_timers.
 *
 * Linux veth hosts ignore PFC. A leaf's host port then keeps receiving
 * after XOFF: those packets land in the headroom above xoff (counted:
 * headroom_pkts/bytes/peak per port); beyond xoff + headroom they are
 * dropped as pfc_headroom. Size pfc.headroom for the largest host burst.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "loom/frame.h"
#include "pkt_drop.h"
#include "tm.h"

#define PFC_OPCODE 0x0101
#define PFC_FRAME_LEN (LOOM_FRAME_ETH_MIN - LOOM_FRAME_FCS) /* Ethernet's minimum without FCS: 60 */

static const struct rte_ether_addr pfc_dst = {{0x01, 0x80, 0xc2, 0x00, 0x00, 0x01}};

/* The watchdog released the class (storm declared): what was left of
 * the hold no longer counts as time paused. */
static void tm_pfc_wd_release(struct tm_queue *q, loom_time_ns now)
{
	if (q->hold.until > now && q->hold.until != LOOM_TIME_NEVER)
		q->st.paused_ns -= q->hold.until - now;
	if (q->hold.until > now)
		q->hold.until = now;
}

enum loom_drop_reason tm_pfc_receive(struct loom_switch *sw, struct loom_port *in, const uint8_t *frame,
				     const uint8_t *v, loom_time_ns now)
{
	struct tm_port *t = in->tm;
	uint8_t enabled = v[1];
	uint8_t obeyed = 0;
	uint64_t rate;

	/* 802.1Qbb: PFC goes to the reserved MAC control address only. */
	if (!rte_is_same_ether_addr((const struct rte_ether_addr *)frame, &pfc_dst))
		return LOOM_DROP_PFC_NOT_MULTICAST;
	/* PFC is on where the port has a lossless class. */
	if (!t || !t->cfg.lossless)
		return LOOM_DROP_PFC_DISABLED;
	if (!(enabled & t->cfg.lossless & (uint8_t)((1u << t->n_classes) - 1u)))
		return LOOM_DROP_PFC_LOSSY;
	t->st.pfc_rx_frames++;
	rate = t->rate_bps ? t->rate_bps : in->rate_bps;
	for (int c = 0; c < t->n_classes; c++) {
		struct tm_queue *q = &t->q[c];
		uint16_t quanta;
		loom_time_ns old = q->hold.until, until;
		enum loom_pfc_wd_event ev;

		if (!(enabled & (1u << c)))
			continue;
		if (!(t->cfg.lossless & (1u << c))) {
			t->st.pfc_rx_lossy++;
			continue;
		}
		quanta = (uint16_t)(v[2 + 2 * c] << 8 | v[3 + 2 * c]);
		obeyed |= (uint8_t)(1u << c);
		if (!loom_pfc_wd_on_pause(&q->wd, &t->cfg.pfc_wd, quanta, loom_pfc_is_held(&q->hold, now), now,
					  &ev)) {
			if (ev == LOOM_PFC_WD_STORM)
				tm_pfc_wd_release(q, now);
			continue;
		}
		until = loom_pfc_rx_pause(&q->hold, quanta, rate, now);
		if (until == LOOM_TIME_NEVER || rate == 0)
			continue;
		/* time paused: the rest of a replaced hold no longer counts */
		if (old > now && old != LOOM_TIME_NEVER)
			q->st.paused_ns -= old - now;
		if (until > now)
			q->st.paused_ns += until - now;
	}
	/* the watchdog's detection or restoration may now be due: tm_run_timers */
	if (obeyed && t->cfg.pfc_wd.detect_ns)
		sw->timers_armed = true;
	return LOOM_DROP_NONE;
}

void tm_pfc_request(struct loom_switch *sw, struct loom_port *p, int cls, uint16_t quanta)
{
	struct tm_port *t = p->tm;

	if (!t)
		return;
	/* The frame counts as generated (and queued) from now on, so that
	 * conservation holds while it waits for its mbuf. */
	if (t->pfc_pending == 0)
		sw->c.generated++;
	t->pfc_pending |= (uint8_t)(1u << cls);
	t->pfc_quanta[cls] = quanta;
	/* A PAUSE is refreshed by the switch's timers: tell the runner that
	 * one may now be due sooner than it last heard. */
	if (quanta > 0)
		sw->timers_armed = true;
}

struct rte_mbuf *tm_pfc_build(struct loom_switch *sw, struct loom_port *p)
{
	struct tm_port *t = p->tm;
	struct rte_mbuf *m = rte_pktmbuf_alloc(sw->tm->ctrl_pool);
	uint8_t *d;

	if (!m) {
		t->st.pfc_alloc_fail++;
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, PFC_FRAME_LEN);
	if (!d) { /* cannot happen: the pool's data room holds it */
		rte_pktmbuf_free(m);
		t->st.pfc_alloc_fail++;
		return NULL;
	}
	memset(d, 0, PFC_FRAME_LEN);
	memcpy(d, &pfc_dst, 6);
	memcpy(d + 6, &p->mac, 6);
	d[12] = 0x88;
	d[13] = 0x08;
	d[14] = PFC_OPCODE >> 8;
	d[15] = PFC_OPCODE & 0xff;
	d[17] = t->pfc_pending;
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		if (!(t->pfc_pending & (1u << c)))
			continue;
		d[18 + 2 * c] = (uint8_t)(t->pfc_quanta[c] >> 8);
		d[19 + 2 * c] = (uint8_t)t->pfc_quanta[c];
	}
	t->pfc_pending = 0;
	t->st.pfc_tx_frames++;
	return m;
}

static void tm_pfc_maybe_refresh(struct loom_switch *sw, struct loom_port *p, int cls, loom_time_ns now)
{
	struct tm_port *t = p->tm;
	uint16_t quanta;

	if (loom_pfc_refresh(&t->pfc[cls], &t->pfc_cfg, now, &quanta) == LOOM_PFC_SEND_PAUSE) {
		t->st.pfc_tx_refresh++;
		tm_pfc_request(sw, p, cls, quanta);
	}
}

void tm_pfc_release(struct loom_switch *sw, struct rte_mbuf *m, uint32_t len, loom_time_ns now)
{
	uint16_t in = m->hash.sched.queue_id;
	int cls = m->hash.sched.traffic_class;
	struct loom_port *p = &sw->ports[in];
	struct tm_port *t = p->tm;
	uint16_t quanta;

	if (loom_pfc_on_dequeue(&t->pfc[cls], &t->pfc_cfg, len, now, &quanta) == LOOM_PFC_SEND_RESUME) {
		t->st.pfc_tx_resume++;
		tm_pfc_request(sw, p, cls, 0);
		return;
	}
	if (t->pfc[cls].paused)
		tm_pfc_maybe_refresh(sw, p, cls, now);
}

loom_time_ns tm_run_timers(struct loom_switch *sw, loom_time_ns now)
{
	loom_time_ns next = LOOM_TIME_NEVER;

	if (!sw->tm)
		return next;
	for (uint16_t i = 0; i < sw->n_ports; i++) {
		struct tm_port *t = sw->ports[i].tm;

		if (!t || !t->cfg.lossless)
			continue;
		for (int c = 0; c < t->n_classes; c++) {
			struct tm_queue *q = &t->q[c];
			loom_time_ns at;

			/* receive side: the watchdog of a class that was paused */
			if (q->wd.stormed || q->wd.paused_since != LOOM_TIME_NEVER) {
				switch (loom_pfc_wd_check(&q->wd, &t->cfg.pfc_wd, loom_pfc_is_held(&q->hold, now),
							  now)) {
				case LOOM_PFC_WD_STORM:
					tm_pfc_wd_release(q, now);
					break;
				default:
					break;
				}
					at = loom_pfc_wd_next_check(&q->wd, &t->cfg.pfc_wd, q->hold.until);
				if (at < next)
					next = at;
			}
			/* send side: refresh the PAUSE we sent */
			if (!t->pfc[c].paused)
				continue;
			tm_pfc_maybe_refresh(sw, &sw->ports[i], c, now);
			at = loom_pfc_next_refresh(&t->pfc[c], &t->pfc_cfg);
			if (at < next)
				next = at;
		}
	}
	return next;
}
