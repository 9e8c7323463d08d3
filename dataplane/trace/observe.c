/* SPDX-License-Identifier: BSD-3-Clause */
/* Traces and captures of a fabric: their state, the mark, and what the
 * transmit side records (observe.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf_dyn.h>
#include <rte_errno.h>
#include <rte_ring.h>

#include "observe.h"

static const char *const kind_names[LOOM_TR_KINDS] = {
	[LOOM_TR_RX] = "rx",           [LOOM_TR_ROUTE] = "route",
	[LOOM_TR_LB] = "lb",           [LOOM_TR_ENQUEUE] = "enqueue",
	[LOOM_TR_TX] = "tx",           [LOOM_TR_DROP] = "drop",
	[LOOM_TR_ANSWERED] = "answered", [LOOM_TR_FORWARDED] = "forwarded",
	[LOOM_TR_VOQ] = "voq",         [LOOM_TR_CELLS] = "cells",
	[LOOM_TR_CELL_RX] = "cell_rx", [LOOM_TR_REASSEMBLED] = "reassembled",
	[LOOM_TR_TABLE] = "table",
};

const char *loom_trace_kind_name(enum loom_trace_kind k)
{
	return k < LOOM_TR_KINDS ? kind_names[k] : "?";
}

int loom_observe_create(struct loom_fabric *f, struct loom_observe **out, char *err, size_t errlen)
{
	static const struct rte_mbuf_dynfield field = {
		.name = "loom_trace_mark", .size = sizeof(uint32_t), .align = __alignof__(uint32_t)};
	static const struct rte_mbuf_dynflag flag = {.name = "loom_trace_marked"};
	struct loom_observe *o = calloc(1, sizeof(*o));
	int bit;

	if (!o || !(o->lent = calloc((size_t)f->n_switches * 256, sizeof(*o->lent)))) {
		free(o);
		snprintf(err, errlen, "observe: out of memory");
		return -1;
	}
	o->snap = LOOM_CAPTURE_SNAP;
	o->mark_offset = rte_mbuf_dynfield_register(&field);
	bit = rte_mbuf_dynflag_register(&flag);
	if (o->mark_offset < 0 || bit < 0) {
		snprintf(err, errlen, "observe: cannot register the trace mark in the mbufs (%s)", rte_strerror(rte_errno));
		free(o->lent);
		free(o);
		return -1;
	}
	o->mark_flag = 1ull << bit;
	o->fabric = f;
	o->next_capture_id = 1;
	o->next_session = 1;
	*out = o;
	return 0;
}

static void capture_release(struct loom_capture *c)
{
	rte_ring_free(c->free_slots);
	rte_ring_free(c->full);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

void loom_observe_free(struct loom_observe *o)
{
	if (!o)
		return;
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++)
		capture_release(&o->cap[i]);
	free(o->trace);
	free(o->lent);
	free(o);
}

bool loom_observe_active(const struct loom_observe *o)
{
	if (o->trace && o->trace->on)
		return true;
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++)
		if (o->cap[i].on)
			return true;
	return false;
}

void loom_observe_apply(struct loom_observe *o)
{
	struct loom_fabric *f = o->fabric;
	bool on = loom_observe_active(o);

	for (uint16_t s = 0; s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];

		sw->observe = on ? o : NULL;
		for (uint16_t p = 0; p < sw->n_ports && p < 256; p++) {
			struct loom_wire *lent = &o->lent[(size_t)s * 256 + p];

			if (on && !o->applied) { /* cut-through off: every packet through transmit */
				*lent = sw->ports[p].wire;
				sw->ports[p].wire.send = NULL;
			} else if (!on && o->applied) {
				sw->ports[p].wire = *lent;
			}
		}
	}
	o->applied = on;
}

struct loom_trace_packet *loom_trace_claim(struct loom_observe *o, const struct loom_switch *sw, uint16_t port,
					   struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	struct loom_trace *t = o->trace;
	struct loom_trace_packet *p;

	if (t == NULL || !t->on || t->n_packets >= t->count || sw->id != t->sw ||
	    (t->port >= 0 && port != t->port) || !loom_filter_match(&t->filter, meta))
		return NULL;
	p = &t->pkts[t->n_packets++];
	memset(p, 0, sizeof(*p));
	p->id = t->n_packets;
	p->first = *meta;
	m->ol_flags |= o->mark_flag;
	*RTE_MBUF_DYNFIELD(m, o->mark_offset, uint32_t *) = (t->session & 0xffff) << 16 | p->id;
	return p;
}

struct loom_trace_event *loom_trace_event(struct loom_trace_packet *p, enum loom_trace_kind kind,
					  const struct loom_switch *sw, uint16_t port, loom_time_ns t)
{
	struct loom_trace_event *e;

	if (p->n_events == LOOM_TRACE_EVENTS) {
		/* the last slot shows the latest event: where the packet ended */
		p->events_lost++;
		e = &p->ev[LOOM_TRACE_EVENTS - 1];
	} else {
		e = &p->ev[p->n_events++];
	}
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->sw = sw->id;
	e->port = port;
	e->kind = (uint8_t)kind;
	return e;
}

static void capture_one(struct loom_capture *c, const struct rte_mbuf *m, uint8_t dir, uint32_t snap,
			loom_time_ns now)
{
	struct loom_capture_slot stack_slot, *s = &stack_slot;
	uint32_t idx = 0;

	if (c->sink == NULL) {
		void *v;

		if (rte_ring_sc_dequeue(c->free_slots, &v) != 0) {
			c->taken++;
			c->lost++;
			return;
		}
		idx = (uint32_t)(uintptr_t)v;
		s = &c->slots[idx];
	}
	s->t = now;
	s->dir = dir;
	s->len = rte_pktmbuf_pkt_len(m);
	s->caplen = s->len < snap ? s->len : snap;
	{
		const void *d = rte_pktmbuf_read(m, 0, s->caplen, s->data);

		if (d != s->data)
			memcpy(s->data, d, s->caplen);
	}
	if (c->sink != NULL)
		c->sink(c->sink_ctx, s);
	else
		rte_ring_sp_enqueue(c->full, (void *)(uintptr_t)idx); /* never full: as many places as slots */
	/* after the frame is in `full`: a reader that sees the count reached
	 * and `full` empty has had every frame */
	__atomic_store_n(&c->taken, c->taken + 1, __ATOMIC_RELEASE);
}

void loom_capture_frames(struct loom_observe *o, const struct loom_switch *sw, uint16_t port, uint8_t dir,
			 struct rte_mbuf *const *pkts, uint16_t n, loom_time_ns now)
{
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++) {
		struct loom_capture *c = &o->cap[i];

		if (!c->on || c->sw != sw->id || c->port != port || !(c->dir & dir))
			continue;
		for (uint16_t k = 0; k < n && (c->count == 0 || c->taken < c->count); k++) {
			if (c->filtered) {
				struct loom_pkt_meta meta;

				if (rte_pktmbuf_data_len(pkts[k]) != rte_pktmbuf_pkt_len(pkts[k]) ||
				    loom_pkt_parse(rte_pktmbuf_mtod(pkts[k], const uint8_t *),
						   rte_pktmbuf_data_len(pkts[k]), &meta) != LOOM_DROP_NONE ||
				    !loom_filter_match(&c->filter, &meta))
					continue;
			}
			capture_one(c, pkts[k], dir, o->snap, now);
		}
	}
}

void loom_observe_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf *const *pkts, uint16_t n,
			   loom_time_ns now)
{
	struct loom_observe *o = sw->observe;

	loom_capture_frames(o, sw, port, LOOM_CAP_TX, pkts, n, now);
	for (uint16_t i = 0; i < n; i++) {
		struct loom_trace_packet *p = loom_trace_of(o, pkts[i]);

		if (p)
			loom_trace_event(p, LOOM_TR_TX, sw, port, now);
	}
}
