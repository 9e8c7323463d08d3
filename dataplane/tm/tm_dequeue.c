/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager dequeue: what port P may send at `now`. Reads: the
 * class queues, received-PFC holds, the class scheduler and the shaper.
 * Sets: the queues, shaper credit, scheduler state, the shared buffer and
 * the ingress ports' PFC bytes (which may ask for a RESUME).
 *
 * A pending PFC frame goes first, ahead of every data class
 * (tm_pfc_take, called by egress/port_transmit.c: it is charged to the
 * shaper, as it takes wire time, but it is never held back). The scheduler is asked once per run of packets of one class, not once
 * per packet (loom_qsched_again: the same answers, a fraction of the work).
 */
#include <rte_mbuf.h>

#include "switch.h"
#include "tm.h"

/* Head packet sizes of the classes that may send at `now` (0: empty or
 * held by a received PAUSE). */
static inline void tm_heads(const struct tm_port *t, loom_time_ns now, uint32_t head[LOOM_QSCHED_MAX_CLASSES])
{
	for (int c = 0; c < LOOM_QSCHED_MAX_CLASSES; c++) {
		const struct tm_queue *q = &t->q[c];

		head[c] = 0;
		if (c < t->n_classes && q->count && !loom_pfc_is_held(&q->hold, now))
			head[c] = q->lens[q->head];
	}
}

static inline bool tm_shaper_allows(const struct tm_port *t, uint32_t bytes, loom_time_ns now)
{
	return t->rate_bps == 0 || loom_shaper_can_send(&t->shaper, bytes, now);
}

static inline void tm_charge(struct tm_port *t, uint32_t bytes, loom_time_ns now)
{
	if (t->rate_bps)
		loom_shaper_consume(&t->shaper, bytes, now);
}

struct rte_mbuf *tm_pfc_take(struct loom_switch *sw, struct loom_port *p, loom_time_ns now)
{
	struct tm_port *t = p->tm;
	struct rte_mbuf *f;

	if (!t->pfc_pending)
		return NULL;
	f = tm_pfc_build(sw, p);
	if (f)
		tm_charge(t, rte_pktmbuf_pkt_len(f), now);
	return f;
}

uint16_t tm_dequeue_burst(struct loom_switch *sw, struct loom_port *p, struct rte_mbuf **out, uint16_t max,
			  loom_time_ns now)
{
	struct tm_port *t = p->tm;
	uint32_t head[LOOM_QSCHED_MAX_CLASSES];
	uint16_t n = 0;

	if (t->n_pkts == 0)
		goto done;
	tm_heads(t, now, head);
	/* (t->n_pkts == 0: every class is empty, and each left the
	 * scheduler's list as it emptied, so select() would only say -1.) */
	while (n < max && t->n_pkts > 0) {
		int c = loom_qsched_select(&t->qs, head);
		struct tm_queue *q;

		if (c < 0 || !tm_shaper_allows(t, head[c], now))
			break;
		/* A run of class c: the scheduler is asked once per run, not
		 * per packet; loom_qsched_again() says, exactly, whether
		 * select() would pick c again for its next head. */
		q = &t->q[c];
		do {
			struct rte_mbuf *m = q->pkts[q->head];
			uint32_t len = head[c];

			q->head = (q->head + 1) & q->mask;
			q->count--;
			q->bytes -= len;
			t->n_pkts--;
			t->bytes -= len;
			tm_charge(t, len, now);
			loom_qsched_sent(&t->qs, c, len);
			q->st.out_pkts++;
			q->st.out_bytes += len;
			p->c.tx_bytes += len;
			loom_buffer_release(&sw->tm->buf, len);
			if (m->hash.sched.color)
				tm_pfc_release(sw, m, len, now);
			if (q->count == 0) {
				/* a queue grown from the real-time reserve
				 * gives its block back once it is empty */
				if (unlikely(q->mask >= TM_PORT_PKTS) && sw->tm->reserve)
					tm_queue_reserve_shrink(sw->tm->reserve, q);
				loom_qsched_emptied(&t->qs, c);
				loom_ecn_queue_empty(&q->ecn_st, now);
				head[c] = 0;
			} else {
				head[c] = q->lens[q->head];
			}
			out[n++] = m;
		} while (n < max && loom_qsched_again(&t->qs, c, head[c]) && tm_shaper_allows(t, head[c], now));
	}
done:
	p->c.tx_packets += n;
	return n;
}

loom_time_ns tm_next_tx_time(const struct loom_port *p, loom_time_ns now)
{
	const struct tm_port *t = p->tm;
	uint32_t head[LOOM_QSCHED_MAX_CLASSES];
	loom_time_ns held_until = LOOM_TIME_NEVER;
	struct loom_qsched qs;
	int c;

	if (t->pfc_pending)
		return now;
	if (t->n_pkts == 0)
		return LOOM_TIME_NEVER;
	tm_heads(t, now, head);
	/* Classes held by a PAUSE can send again when the hold ends. */
	for (int k = 0; k < t->n_classes; k++)
		if (t->q[k].count && head[k] == 0 && t->q[k].hold.until < held_until)
			held_until = t->q[k].hold.until;
	/* The class the scheduler would pick, from a copy of its state (select
	 * may advance a DRR round), so that the answer is exact. */
	qs = t->qs;
	c = loom_qsched_select(&qs, head);
	if (c < 0)
		return held_until;
	if (t->rate_bps == 0)
		return now;
	loom_time_ns ready = loom_shaper_next_time(&t->shaper, head[c], now);
	return ready < held_until ? ready : held_until;
}
