/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit side of a switch: what port P may send at `now`, and what
 * it holds. Reads: the port's control queue, its traffic manager or FIFO.
 * Sets: those queues and the port's tx counters. Called by the runners
 * (loom_switch_transmit, loom_switch_next_tx_time, loom_switch_queued,
 * loom_switch_prefetch_transmit) and by load-aware balancers
 * (loom_switch_queued_bytes).
 *
 * Order on the wire: the control queue's frames first, alone in their
 * burst (a cell fabric's REQUEST/CREDIT cells); then a pending PFC frame
 * (tm_pfc_take) ahead of the data in the same burst; then the data: the
 * traffic manager's pick while its shaper allows, or the FIFO.
 */
#include <rte_prefetch.h>

#include "ctrl_queue.h"
#include "egress.h"
#include "observe.h"
#include "link_fault.h"
#include "tm.h"

/* The control queue's frames (up to max); how many. (These three are
 * inlined in both callers, the transmit and a broken link's drain: the
 * transmit's cost per packet stays what it was.) */
static __rte_always_inline uint16_t ctrl_dequeue(struct loom_port *p, struct rte_mbuf **out, uint16_t max)
{
	struct egress_ctrlq *q = p->ctrlq;
	unsigned int n;

	if (q == NULL || q->bytes == 0)
		return 0;
	n = rte_ring_sc_dequeue_burst(q->ring, (void **)out, max, NULL);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(out[i]);

		q->bytes -= len;
		p->c.tx_bytes += len;
	}
	p->c.tx_packets += n;
	return (uint16_t)n;
}

/* The traffic manager's pending PFC frame, then its data. */
static __rte_always_inline uint16_t tm_transmit(struct loom_switch *sw, struct loom_port *p, struct rte_mbuf **out, uint16_t max,
			    loom_time_ns now)
{
	uint16_t n = 0;

	if (max > 0) {
		struct rte_mbuf *f = tm_pfc_take(sw, p, now);

		if (f) {
			p->c.tx_bytes += rte_pktmbuf_pkt_len(f);
			p->c.tx_packets++;
			out[n++] = f;
		}
	}
	return n + tm_dequeue_burst(sw, p, out + n, (uint16_t)(max - n), now);
}

/* The FIFO of a port without a traffic manager. */
static __rte_always_inline uint16_t fifo_transmit(struct loom_port *p, struct rte_mbuf **out, uint16_t max)
{
	uint64_t bytes;
	uint16_t n = port_fifo_dequeue(p->outq, out, max, &bytes);

	p->c.tx_bytes += bytes;
	p->c.tx_packets += n;
	return n;
}

/* What the port may send now, in order, as it would go on the wire. */
static __rte_always_inline uint16_t port_dequeue(struct loom_switch *sw, struct loom_port *p, struct rte_mbuf **out, uint16_t max,
				    loom_time_ns now)
{
	uint16_t n = ctrl_dequeue(p, out, max);

	if (n == 0)
		n = p->tm ? tm_transmit(sw, p, out, max, now) : fifo_transmit(p, out, max);
	return n;
}

/* The port's link is down (core/link_fault.h): everything it may send now
 * goes into the dead link, dropped as link_down on this port rather than
 * counted as sent. Until the switch detects the failure and repairs its
 * groups, that is what the packets routed to this port meet. */
static __rte_noinline void link_down_drain(struct loom_switch *sw, struct loom_port *p, loom_time_ns now)
{
	struct rte_mbuf *m[LOOM_BURST];
	uint16_t n;

	while ((n = port_dequeue(sw, p, m, LOOM_BURST, now)) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			p->c.tx_packets--;
			p->c.tx_bytes -= rte_pktmbuf_pkt_len(m[i]);
			pkt_drop(p, m[i], LOOM_DROP_LINK_DOWN);
		}
	}
}

uint16_t loom_switch_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf **out, uint16_t max,
			      loom_time_ns now)
{
	struct loom_port *p = &sw->ports[port];
	uint16_t n;

	if (sw->tm)
		sw->tm->now = now; /* a dequeue may ask for PFC frames, stamped now */
	if (unlikely(p->fault != NULL) && p->fault->down) {
		link_down_drain(sw, p, now);
		return 0;
	}
	n = port_dequeue(sw, p, out, max, now);
	if (unlikely(sw->mode->transmitted != NULL))
		sw->mode->transmitted(sw, port, out, n, now);
	if (unlikely(sw->observe != NULL)) /* captures, traced packets (trace/observe.h) */
		loom_observe_transmit(sw, port, out, n, now);
	return n;
}

uint32_t loom_switch_queued(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];
	uint32_t ctrl = unlikely(p->ctrlq != NULL) ? egress_ctrlq_count(p) : 0;

	if (p->tm)
		return tm_queued(p->tm) + ctrl;
	return (p->outq ? p->outq->count : 0) + ctrl;
}

void loom_switch_prefetch_transmit(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];

	if (p->tm)
		tm_prefetch_heads(p->tm);
	else if (p->outq && p->outq->count)
		rte_prefetch0(p->outq->pkts[p->outq->head]);
}

uint64_t loom_switch_queued_bytes(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];

	return (p->tm ? p->tm->bytes : p->outq ? p->outq->bytes : 0) + egress_ctrlq_bytes(p);
}

loom_time_ns loom_switch_next_tx_time(const struct loom_switch *sw, uint16_t port, loom_time_ns now)
{
	const struct loom_port *p = &sw->ports[port];

	if (unlikely(egress_ctrlq_bytes(p) > 0))
		return now;
	if (p->tm)
		return tm_next_tx_time(p, now);
	return loom_switch_queued(sw, port) > 0 ? now : LOOM_TIME_NEVER;
}

void egress_port_flush(struct loom_port *p, enum loom_drop_reason reason)
{
	struct rte_mbuf *m;
	uint64_t bytes;

	while (p->ctrlq && rte_ring_sc_dequeue(p->ctrlq->ring, (void **)&m) == 0) {
		p->ctrlq->bytes -= rte_pktmbuf_pkt_len(m);
		pkt_drop(p, m, reason);
	}
	while (p->tm == NULL && p->outq && port_fifo_dequeue(p->outq, &m, 1, &bytes) == 1)
		pkt_drop(p, m, reason);
}
