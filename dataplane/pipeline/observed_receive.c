/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive handler while a trace or a capture is on (trace/observe.h).
 * Reads: the burst, the trace's mark and expression, the switch's tables
 * and queues. Sets: what loom_switch_receive sets (the same stages run),
 * plus capture copies and the traced packets' events.
 *
 * Receive captures of the port copy every frame first. Then the burst is
 * cut at each traced packet: the runs between them take the usual path
 * (loom_switch_receive_stages, switch_handlers.c), each traced packet the
 * staged path alone, here, with every stage's decision recorded, from the
 * port's link fault (core/link_fault.h) on. Packets keep their order. The
 * stages are the same functions; what could not be asked of them (which
 * drop, which class, whether the queue marked it) is read from the
 * counters they move, before and after, which for one packet is exact.
 */
#include <string.h>

#include <rte_ip.h>

#include "link_fault.h"
#include "observe.h"
#include "stages.h"
#include "switch_receive.h"
#include "tm.h"

static void record_rx(struct loom_trace_packet *p, const struct loom_switch *sw, uint16_t port,
		      const struct rte_mbuf *m, loom_time_ns now)
{
	struct loom_trace_event *e = loom_trace_event(p, LOOM_TR_RX, sw, port, now);
	struct loom_pkt_meta meta;

	e->u.rx.len = (uint16_t)rte_pktmbuf_pkt_len(m);
	if (loom_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &meta) != LOOM_DROP_NONE)
		return;
	e->u.rx.l3_kind = meta.l3_kind;
	e->u.rx.l4_proto = meta.l4_proto;
	e->u.rx.ttl = meta.ttl;
	if (meta.l3_kind == LOOM_L3_IPV4)
		e->u.rx.ecn = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta.l3_off)->type_of_service & 3;
	else if (meta.l3_kind == LOOM_L3_IPV6)
		e->u.rx.ecn = (rte_be_to_cpu_32(rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta.l3_off)->vtc_flow) >> 20) & 3;
}

/* Drops counted on any port of the switch. */
struct drop_count {
	uint16_t port;
	uint64_t drops[LOOM_DROP_MAX];
};

static void drops_take(const struct loom_port *p, struct drop_count *d)
{
	d->port = p->index;
	memcpy(d->drops, p->c.drops, sizeof(d->drops));
}

/* The reason whose counter moved on port d->port since drops_take, or NONE. */
static enum loom_drop_reason drops_moved(const struct loom_switch *sw, const struct drop_count *d)
{
	for (int r = 1; r < LOOM_DROP_MAX; r++)
		if (sw->ports[d->port].c.drops[r] != d->drops[r])
			return (enum loom_drop_reason)r;
	return LOOM_DROP_NONE;
}

static bool record_drop(struct loom_trace_packet *p, const struct loom_switch *sw, const struct drop_count *d,
			loom_time_ns now)
{
	enum loom_drop_reason r = drops_moved(sw, d);

	if (r == LOOM_DROP_NONE)
		return false;
	loom_trace_event(p, LOOM_TR_DROP, sw, d->port, now)->reason = (uint8_t)r;
	return true;
}

/* Onto the egress port's queues, with what the queue saw. */
static void traced_output(struct loom_switch *sw, struct loom_port *in, struct loom_port *out, struct rte_mbuf *m,
			  struct loom_trace_packet *p, loom_time_ns now)
{
	struct loom_trace_event *e = loom_trace_event(p, LOOM_TR_ENQUEUE, sw, out->index, now);
	uint64_t in_pkts[LOOM_TM_CLASSES], marked[LOOM_TM_CLASSES], depth[LOOM_TM_CLASSES];
	uint32_t depth_pkts[LOOM_TM_CLASSES];
	struct tm_port *tm = out->tm;
	struct drop_count d;

	drops_take(out, &d);
	e->u.enq.cls = -1;
	if (tm) {
		for (int c = 0; c < tm->n_classes; c++) {
			in_pkts[c] = tm->q[c].st.in_pkts + tm->q[c].st.drop_tail + tm->q[c].st.drop_wred +
				     tm->q[c].st.drop_buffer + tm->q[c].st.drop_headroom;
			marked[c] = tm->q[c].st.ecn_marked;
			depth[c] = tm->q[c].bytes;
			depth_pkts[c] = tm->q[c].count;
		}
	} else if (out->outq) {
		e->u.enq.depth_bytes = loom_switch_queued_bytes(sw, out->index);
		e->u.enq.depth_pkts = loom_switch_queued(sw, out->index);
	}
	port_output_burst(sw, out, in->index, &m, 1);
	/* m may be gone now (dropped, or sent) */
	e->u.enq.admitted = drops_moved(sw, &d) == LOOM_DROP_NONE;
	for (int c = 0; tm && c < tm->n_classes; c++) {
		uint64_t now_in = tm->q[c].st.in_pkts + tm->q[c].st.drop_tail + tm->q[c].st.drop_wred +
				  tm->q[c].st.drop_buffer + tm->q[c].st.drop_headroom;

		if (now_in == in_pkts[c])
			continue;
		e->u.enq.cls = (int8_t)c;
		e->u.enq.depth_bytes = depth[c];
		e->u.enq.depth_pkts = depth_pkts[c];
		e->u.enq.ecn_marked = tm->q[c].st.ecn_marked != marked[c];
		e->u.enq.pfc_paused = loom_pfc_is_held(&tm->q[c].hold, now);
		e->u.enq.pfc_xoff = in->tm && in->tm->pfc[c].paused;
	}
	record_drop(p, sw, &d, now);
}

/* The native stages (loom_native_forward) for one packet, recorded. */
static void traced_native_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
				  const struct loom_pkt_meta *meta, struct loom_trace_packet *p, loom_time_ns now)
{
	struct loom_trace_event *e = loom_trace_event(p, LOOM_TR_ROUTE, sw, in->index, now);
	uint32_t len = rte_pktmbuf_pkt_len(m), g, hash, member;
	const struct loom_group *grp;
	const struct loom_nexthop *nh;
	struct member_tables t;
	enum loom_drop_reason r;

	ip_route_lookup_burst(sw, &meta, 1, &g);
	e->u.route.group = g;
	if (g == LOOM_GROUP_NONE) {
		pkt_drop(in, m, LOOM_DROP_NO_ROUTE);
		loom_trace_event(p, LOOM_TR_DROP, sw, in->index, now)->reason = LOOM_DROP_NO_ROUTE;
		return;
	}
	grp = &sw->groups[g];
	e->u.route.n_members = grp->n_members;
	r = ip_ttl_decrement(m, meta);
	if (r != LOOM_DROP_NONE) {
		pkt_drop(in, m, r);
		loom_trace_event(p, LOOM_TR_DROP, sw, in->index, now)->reason = (uint8_t)r;
		return;
	}
	e->u.route.ttl_out = (uint8_t)(meta->ttl - 1);

	/* as member_select does (member_select.c) */
	hash = grp->n_members > 1 ? loom_flow_hash_inline(&meta->key,
							  loom_flow_hash_label_seed(sw->hash_seed, meta->key.flow_label &
										    sw->hash_flow_label_mask))
				  : 0;
	e = loom_trace_event(p, LOOM_TR_LB, sw, in->index, now);
	e->u.lb.hash = hash;
	e->u.lb.policy = grp->policy;
	e->u.lb.n_members = grp->n_members;
	member_tables_load(sw, &t);
	for (uint16_t i = 0; i < grp->n_members && i < LOOM_TRACE_LB_MEMBERS; i++) {
		uint64_t q = loom_switch_queued_bytes(sw, t.nexthops[t.members[grp->first + i]].port);

		e->u.lb.queued_bytes[i] = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
	}
	if (!member_group_inline(grp) && lb_policy_at(grp->policy)->explain) {
		const struct loom_lb_group *lg = &sw->lb->groups[g];
		struct lb_pkt pkt = {.flow_hash = hash, .len = len, .now = now};
		struct lb_explain x = {0};

		lb_policy_at(grp->policy)->explain(lg->state, &lg->view, &pkt, &x);
		for (unsigned int i = 0; i < x.n && i < 4; i++) {
			e->u.lb.explain_name[i] = x.name[i];
			e->u.lb.explain_value[i] = x.value[i];
		}
		e->u.lb.n_explain = (uint8_t)(x.n < 4 ? x.n : 4);
	}
	member = member_choose(sw, grp, g, hash, len, now, false, 0);
	nh = member_take(&t, member, len);
	e->u.lb.member = (uint16_t)(member - grp->first);
	e->u.lb.nh_port = nh->port;
	eth_rewrite(m, nh);
	if (unlikely(sw->ports[nh->port].reorder_measured))
		reorder_measure(sw, nh->port, m, meta, now);
	traced_output(sw, in, &sw->ports[nh->port], m, p, now);
}

/* Another mode's forward (a P4 program, a cell leaf) for one packet: what
 * the mode tells of its own steps (a P4 program's tables), then the port
 * whose queue grew, or the drop; a cell leaf records its VOQ itself. */
static void traced_mode_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
				const struct loom_pkt_meta *meta, struct loom_trace_packet *p, loom_time_ns now)
{
	const struct loom_switch_mode *mode = sw->mode;
	struct loom_mode_step steps[8];
	uint32_t queued[256];
	struct drop_count d;
	uint16_t n = sw->n_ports < 256 ? sw->n_ports : 256;
	uint16_t before = p->n_events;
	bool recorded;

	drops_take(in, &d);
	for (uint16_t q = 0; q < n; q++)
		queued[q] = loom_switch_queued(sw, q);
	if (mode->steps_mark)
		mode->steps_mark(sw);
	mode->forward(sw, in, &m, &meta, 1, now);
	recorded = p->n_events != before; /* a cell leaf's VOQ */
	for (uint16_t i = 0, k = mode->steps ? mode->steps(sw, steps, 8) : 0; i < k; i++)
		loom_trace_event(p, LOOM_TR_TABLE, sw, in->index, now)->u.step = steps[i];
	if (record_drop(p, sw, &d, now) || recorded)
		return;
	for (uint16_t q = 0; q < n; q++) {
		if (loom_switch_queued(sw, q) != queued[q]) {
			loom_trace_event(p, LOOM_TR_FORWARDED, sw, q, now);
			return;
		}
	}
}

static void traced_receive(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
			   struct loom_trace_packet *p, loom_time_ns now)
{
	const struct loom_switch_mode *mode = sw->mode;
	uint64_t answered = sw->c.answered;
	struct loom_pkt_meta meta;
	struct drop_count d;

	if (sw->tm)
		sw->tm->now = now;
	in->c.rx_packets++;
	/* what a faulty link loses, it loses before the switch: the hop
	 * arrives and ends there, under the fault's reason (as
	 * link_fault_receive, switch_handlers.c, counts it) */
	if (unlikely(in->fault != NULL)) {
		uint32_t len = rte_pktmbuf_pkt_len(m);
		enum loom_drop_reason r = link_fault_rx_verdict(in->fault, len);

		if (r != LOOM_DROP_NONE) {
			record_rx(p, sw, in->index, m, now);
			in->c.rx_bytes += len;
			pkt_drop(in, m, r);
			loom_trace_event(p, LOOM_TR_DROP, sw, in->index, now)->reason = (uint8_t)r;
			return;
		}
	}
	drops_take(in, &d);
	if (unlikely(mode->receive_frame != NULL) && mode->receive_frame(sw, in, m, now)) {
		record_drop(p, sw, &d, now); /* a cell: the cell code recorded it (cell_rx), or its drop */
		return;
	}
	record_rx(p, sw, in->index, m, now);
	if (!loom_switch_classify(sw, in, m, &meta)) {
		if (!record_drop(p, sw, &d, now) && sw->c.answered != answered)
			loom_trace_event(p, LOOM_TR_ANSWERED, sw, in->index, now);
		return;
	}
	if (mode->forward == loom_native_forward)
		traced_native_forward(sw, in, m, &meta, p, now);
	else
		traced_mode_forward(sw, in, m, &meta, p, now);
}

/* Traced: it carries the trace's mark, or the trace claims it here. */
static struct loom_trace_packet *traced(struct loom_observe *o, const struct loom_switch *sw, uint16_t port,
					struct rte_mbuf *m)
{
	struct loom_trace_packet *p = loom_trace_of(o, m);
	const struct loom_trace *t = o->trace;
	struct loom_pkt_meta meta;

	if (p || t == NULL || !t->on || t->sw != sw->id || t->n_packets >= t->count || (m->ol_flags & o->mark_flag))
		return p;
	if (rte_pktmbuf_data_len(m) != rte_pktmbuf_pkt_len(m) ||
	    loom_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &meta) != LOOM_DROP_NONE)
		return NULL;
	return loom_trace_claim(o, sw, port, m, &meta);
}

void loom_switch_receive_observed(struct loom_switch *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
				  loom_time_ns now)
{
	struct loom_observe *o = sw->observe;
	uint16_t run = 0;

	/* captured as received: a capture holds what the port's rx counter
	 * counts, the frames its link then loses too */
	loom_capture_frames(o, sw, port, LOOM_CAP_RX, pkts, n, now);
	for (uint16_t i = 0; i < n; i++) {
		struct loom_trace_packet *p = traced(o, sw, port, pkts[i]);

		if (p == NULL)
			continue;
		if (i > run)
			loom_switch_receive_stages(sw, port, pkts + run, (uint16_t)(i - run), now);
		traced_receive(sw, &sw->ports[port], pkts[i], p, now);
		run = (uint16_t)(i + 1);
	}
	if (n > run)
		loom_switch_receive_stages(sw, port, pkts + run, (uint16_t)(n - run), now);
}
