/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ingress leaf of the cell fabric: `forward` of a leaf in cell mode.
 *
 * Reads: each routed packet's destination (IPv4, IPv6), DSCP. A destination in
 * the fabric's directory: TTL -1 (the fabric is one hop, as one big
 * switch), MACs rewritten for the host (the egress leaf's next hop), then
 * the VOQ (egress leaf, egress port, class) takes it or drops it
 * (voq_full), and the VOQ asks the egress port for the credit it lacks
 * (REQUEST; to a port of this leaf, a call). A host on this leaf is
 * scheduled by its port's credits like any other (it would otherwise
 * take the port ahead of the fabric's traffic and overflow it).
 * Everything else goes to the switch's own forwarding.
 *
 * On a CREDIT: whole packets leave the VOQ while its balance is positive,
 * each cut into DATA cells (consecutive sequence numbers per VOQ), every
 * cell sprayed over the live uplinks that reach the egress leaf (to a host
 * on this leaf: the packet onto its port, uncut). Uplinks
 * push back: while one of those holds more than uplink_limit bytes, the
 * VOQ keeps its packets and credit and the timer tries again one cell
 * time later (the fabric's own flow control, instead of dropping cells
 * at a full uplink queue when the credits outrun the uplinks: less
 * speedup than the cell tax, a link down, a real-time loop behind).
 */
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "egress.h"
#include "observe.h"
#include "pkt_meta.h"
#include "stages.h"

static inline uint32_t voq_index(const struct loom_cell_switch *cs, uint16_t leaf, uint16_t port, uint8_t cls)
{
	return ((uint32_t)leaf * cs->fab->max_ports + port) * cs->fab->cfg.n_classes + cls;
}

static struct cell_voq *voq_get(struct loom_switch *sw, uint16_t leaf, uint16_t port, uint8_t cls, uint8_t dscp)
{
	struct loom_cell_switch *cs = sw->cell;
	uint32_t i = voq_index(cs, leaf, port, cls);
	struct cell_voq *q = cs->voq[i];

	if (likely(q != NULL))
		return q;
	/* first packet for this destination: VOQs are made on demand, a
	 * fabric of L leaves with P ports would otherwise hold L*P*C FIFOs */
	q = rte_zmalloc("cell_voq", sizeof(*q), 0);
	if (q == NULL)
		return NULL;
	q->q = rte_zmalloc("cell_voq_q", sizeof(*q->q) * cs->fab->cfg.voq_pkts, 0);
	q->src_pkts = rte_zmalloc("cell_voq_src", sizeof(*q->src_pkts) * cs->fab->max_ports, 0);
	if (q->q == NULL || q->src_pkts == NULL) {
		rte_free(q->q);
		rte_free(q->src_pkts);
		rte_free(q);
		return NULL;
	}
	loom_voq_init(&q->acct, cs->fab->cfg.voq_limit);
	if (leaf != cs->leaf) { /* to this leaf's own port a request is a call: nothing to stand for */
		loom_voq_set_standing(&q->acct, cs->fab->cfg.standing_credit);
	}
	q->dst_leaf = leaf;
	q->dst_port = port;
	q->cls = cls;
	cell_voq_cc_init(sw, q, &cs->fab->fabric->switches[cs->fab->leaf_switch[leaf]], dscp);
	cs->voq[i] = q;
	return q;
}

static void send_request(struct loom_switch *sw, struct cell_voq *q, uint64_t bytes, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	struct loom_cell_hdr h = {.type = LOOM_CELL_REQUEST, .src_leaf = cs->leaf, .dst_leaf = q->dst_leaf,
				  .dst_port = q->dst_port, .cls = q->cls,
				  .seq_or_bytes = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes, .len = q->n_src};

	cs->c.request_bytes += h.seq_or_bytes;
	if (q->acct.outstanding == bytes) { /* nothing was outstanding: the refresh clock starts now */
		q->last_credit_ns = now;
		sw->timers_armed = true;
	}
	cell_send_ctrl(sw, &h, now);
}

/* What a VOQ keeps covered by credit ahead of its arrivals (loom/cell/voq.h):
 * what arrived in the last request round trip (the credits on their way)
 * and one credit more (in hand when a packet comes), 0 when nothing
 * arrived. To this leaf's own port a request is a call, with no round
 * trip to cover. */
static inline uint64_t voq_ahead(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now)
{
	uint64_t a = q->dst_leaf == sw->cell->leaf ? 0 : loom_voq_ahead(&q->acct, now, sw->cell->fab->rtt_ns);

	return a ? a + sw->cell->fab->cfg.credit_bytes : 0;
}

/* Ask for what the VOQ holds, or what it expects within a round trip if
 * more, beyond its credit and requests; while requests are outstanding,
 * only in credit-sized steps (fewer control cells: the rest is asked for
 * when the credits come). */
static void maybe_request(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now)
{
	uint64_t ahead = voq_ahead(sw, q, now);
	int64_t need = loom_voq_need(&q->acct, ahead);
	uint64_t bytes;

	if (need <= 0 || (q->acct.outstanding > 0 && need < (int64_t)sw->cell->fab->cfg.credit_bytes))
		return;
	bytes = loom_voq_to_request_ahead(&q->acct, ahead);
	if (bytes)
		send_request(sw, q, bytes, now);
}

static void voq_serve(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now);

/* May the VOQ's head packet go now: on credit, or on its standing credit. */
static inline bool voq_may_send(const struct loom_cell_switch *cs, const struct cell_voq *q)
{
	return q->acct.pkts > 0 && loom_voq_may_send_head(&q->acct, rte_pktmbuf_pkt_len(q->q[q->head]));
}

static inline uint8_t packet_dscp(const struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	/* IPv4: TOS byte; IPv6: traffic class across the first two bytes */
	uint8_t tos = meta->l3_kind == LOOM_L3_IPV4 ? ip[1] : (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);

	return (uint8_t)(tos >> 2);
}

static inline uint8_t dscp_class(const struct loom_cell_switch *cs, uint8_t dscp)
{
	uint8_t cls = (uint8_t)(dscp >> 3);

	return cls < cs->fab->cfg.n_classes ? cls : (uint8_t)(cs->fab->cfg.n_classes - 1);
}

/* A packet of a VOQ's source on (ingress) port `port` came in or left. */
static inline void src_add(struct cell_voq *q, uint16_t port)
{
	if (q->src_pkts[port]++ == 0)
		q->n_src++;
}

static inline void src_del(struct cell_voq *q, uint16_t port)
{
	if (--q->src_pkts[port] == 0)
		q->n_src--;
}

static void cut_and_spray(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m, loom_time_ns now);

/* The full VOQ could not take m: trimmed (cell_voq_cc.c), it goes at once
 * without credit (96 bytes: its header DATA cells, or onto this leaf's
 * port), ahead of the packets queued before it; otherwise dropped. Out of
 * line: rare. */
static __attribute__((noinline)) void voq_full(struct loom_switch *sw, struct loom_port *in, struct cell_voq *q,
					       struct rte_mbuf *m, const struct loom_pkt_meta *meta, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (q != NULL && cell_voq_cc_trim(sw, q, m, meta)) {
		if (q->acct.pkts < cs->fab->cfg.voq_pkts) { /* the byte limit counted it a drop: it was not */
			q->acct.st.drop_pkts--;
			q->acct.st.drop_bytes -= len;
		}
		if (cs->fab->pkt_pool == NULL)
			cs->fab->pkt_pool = m->pool;
		m->port = in->index;
		if (q->dst_leaf == cs->leaf)
			port_output(sw, &sw->ports[q->dst_port], m);
		else
			cut_and_spray(sw, q, m, now);
		return;
	}
	if (q && q->acct.pkts >= cs->fab->cfg.voq_pkts) {
		q->acct.st.drop_pkts++;
		q->acct.st.drop_bytes += len;
	}
	cs->c.voq_dropped++;
	pkt_drop(in, m, LOOM_DROP_VOQ_FULL);
}

void cell_leaf_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
		       const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	struct rte_mbuf *rest[LOOM_BURST];
	const struct loom_pkt_meta *rest_meta[LOOM_BURST];
	uint16_t n_rest = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct cell_dest *d = NULL;
		void *data;

		if ((meta[i]->l3_kind == LOOM_L3_IPV4 &&
		     rte_hash_lookup_data(cs->fab->dir4, meta[i]->key.dst, &data) >= 0) ||
		    (meta[i]->l3_kind == LOOM_L3_IPV6 &&
		     rte_hash_lookup_data(cs->fab->dir6, meta[i]->key.dst, &data) >= 0))
			d = &cs->fab->dests[(uintptr_t)data];
		if (d == NULL) {
			rest[n_rest] = m;
			rest_meta[n_rest++] = meta[i];
			continue;
		}
		enum loom_drop_reason r = ip_ttl_decrement(m, meta[i]);
		if (r != LOOM_DROP_NONE) {
			pkt_drop(in, m, r);
			continue;
		}
		eth_rewrite(m, &d->nh);
		uint8_t dscp = packet_dscp(m, meta[i]);
		struct cell_voq *q = voq_get(sw, d->leaf, d->port, dscp_class(cs, dscp), dscp);
		uint32_t len = rte_pktmbuf_pkt_len(m);
		if (q == NULL || q->acct.pkts >= cs->fab->cfg.voq_pkts || !loom_voq_admit(&q->acct, len)) {
			voq_full(sw, in, q, m, meta[i], now);
			continue;
		}
		cell_voq_cc_admit(sw, q, m, meta[i], now);
		if (d->leaf != cs->leaf)
			loom_voq_arrived(&q->acct, len, now, cs->fab->rtt_ns);
		if (cs->fab->pkt_pool == NULL)
			cs->fab->pkt_pool = m->pool;
		m->port = in->index;
		src_add(q, in->index);
		q->q[(q->head + q->acct.pkts - 1) % cs->fab->cfg.voq_pkts] = m;
		cs->c.pkts_to_voq++;
		struct loom_trace_packet *tp = loom_trace_of_fabric(cs->fab->fabric, m);
		if (unlikely(tp != NULL)) {
			struct loom_trace_event *e = loom_trace_event(tp, LOOM_TR_VOQ, sw, in->index, now);

			e->u.voq.leaf = cs->fab->leaf_switch[d->leaf];
			e->u.voq.dst_port = d->port;
			e->u.voq.cls = q->cls;
			e->u.voq.depth_bytes = (uint32_t)q->acct.bytes;
		}
		voq_serve(sw, q, now); /* credit left over from the last grant: go now; else ask */
	}
	if (n_rest)
		loom_native_forward(sw, in, rest, rest_meta, n_rest, now);
}

/* Cut the packet into cells and spray them; frees the packet. */
static void cut_and_spray(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m, loom_time_ns now)
{
	struct loom_trace_packet *tp = loom_trace_of_fabric(sw->cell->fab->fabric, m);
	struct loom_trace_event *e = NULL;
	struct loom_cell_switch *cs = sw->cell;
	const uint16_t payload = cs->fab->cfg.payload;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint32_t n = loom_cell_count(len, payload);
	struct rte_mbuf *cells[LOOM_REASM_MAX_CELLS];

	cs->c.pkts_cut++;
	if (n > LOOM_REASM_MAX_CELLS || rte_pktmbuf_alloc_bulk(cs->fab->cell_pool, cells, n) != 0) {
		pkt_drop(&sw->ports[m->port], m, LOOM_DROP_CELL_NO_BUFFER);
		cs->c.pkts_cut--; /* counted as a drop, not cut */
		return;
	}
	if (unlikely(tp != NULL)) { /* its cells are traced too (trace/observe.h) */
		e = loom_trace_event(tp, LOOM_TR_CELLS, sw, m->port, now);
		e->u.cells.n_cells = (uint16_t)n;
		e->u.cells.first_seq = q->next_seq;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct loom_cell_hdr h = {.type = LOOM_CELL_DATA, .src_leaf = cs->leaf, .dst_leaf = q->dst_leaf,
					  .dst_port = q->dst_port, .cls = q->cls, .seq_or_bytes = q->next_seq++};
		uint32_t off;
		uint8_t *p;

		loom_cell_slice(len, payload, i, &off, &h.len, &h.flags);
		p = (uint8_t *)rte_pktmbuf_append(cells[i], CELL_FRAME_HDR + h.len);
		loom_cell_encode(&h, p + RTE_ETHER_HDR_LEN);
		rte_memcpy(p + CELL_FRAME_HDR, rte_pktmbuf_mtod_offset(m, uint8_t *, off), h.len);
		int up = cell_pick_uplink(sw, q->dst_leaf);
		if (unlikely(e != NULL)) {
			loom_trace_mark_copy(sw->cell->fab->fabric->observe, m, cells[i]);
			if (i < LOOM_TRACE_LB_MEMBERS)
				e->u.cells.uplinks[i] = (uint16_t)up;
		}
		if (up < 0) {
			pkt_drop(&sw->ports[cs->uplink_port[0]], cells[i], LOOM_DROP_CELL_UNREACHABLE);
		} else {
			cell_port_send(sw, (uint16_t)up, cells[i], false);
		}
		cs->c.cells_cut++;
	}
	rte_pktmbuf_free(m);
}

/* Room on every live uplink that reaches `dst` (those a packet's cells are
 * sprayed over). */
static bool uplinks_have_room(struct loom_switch *sw, uint16_t dst)
{
	struct loom_cell_switch *cs = sw->cell;
	uint64_t live = cs->spray.live & cs->reach[dst];

	for (uint8_t i = 0; i < cs->n_uplinks; i++)
		if ((live & (1ull << i)) && loom_switch_queued_bytes(sw, cs->uplink_port[i]) > cs->fab->cfg.uplink_limit)
			return false;
	return true;
}

static inline void set_held_back(struct loom_cell_switch *cs, struct cell_voq *q, bool held)
{
	if (held && !q->held_back)
		cs->c.held_back++;
	cs->n_held_back = cs->n_held_back + held - q->held_back;
	q->held_back = held;
}

static inline struct rte_mbuf *voq_pop(struct loom_cell_switch *cs, struct cell_voq *q, loom_time_ns now)
{
	struct rte_mbuf *m = q->q[q->head];

	q->head = (q->head + 1) % cs->fab->cfg.voq_pkts;
	loom_voq_sent(&q->acct, rte_pktmbuf_pkt_len(m));
	src_del(q, m->port);
	if (q->acct.pkts == 0)
		cell_voq_cc_empty(q, now);
	return m;
}

/* To a host on this leaf: the head packet whole onto its port (no fabric
 * between: as DNX's local switching, only the credit decides when). Kept
 * out of line: the cells' path stays as short as before. */
static __attribute__((noinline)) void send_local(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;

	cs->c.local_pkts++;
	port_output(sw, &sw->ports[q->dst_port], voq_pop(cs, q, now));
}

/* Send the head packet as cells if the uplinks have room (to this leaf's
 * own port: send_local). */
static bool send_head(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;

	if (unlikely(q->dst_leaf == cs->leaf)) {
		send_local(sw, q, now);
		return true;
	}
	if (!uplinks_have_room(sw, q->dst_leaf))
		return false;
	cut_and_spray(sw, q, voq_pop(cs, q, now), now);
	return true;
}

/* Packets go while the VOQ has credit. While some VOQs wait for uplink
 * room, a VOQ joins them instead of going first: the timer serves the
 * waiting ones in turn (cell_ingress_timers), one packet each per round,
 * so that none takes all the room that frees up. A VOQ to this leaf's own
 * ports needs no uplink: it never waits. */
static void voq_serve(struct loom_switch *sw, struct cell_voq *q, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;

	if (q->dst_leaf == cs->leaf || (!q->held_back && cs->n_held_back == 0))
		while (voq_may_send(cs, q) && send_head(sw, q, now))
			;
	if (voq_may_send(cs, q) && !q->held_back) {
		set_held_back(cs, q, true);
		sw->timers_armed = true;
	}
	maybe_request(sw, q, now);
}

/* Round robin over the waiting VOQs, one packet each per round, while the
 * uplinks take them. */
static void serve_held_back(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	uint32_t n = cs->n_voq_slots;
	bool sent = true;

	while (sent && cs->n_held_back > 0) {
		uint32_t start = cs->held_rr;

		sent = false;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t i = (start + k) % n;
			struct cell_voq *q = cs->voq[i];

			if (q == NULL || !q->held_back)
				continue;
			if (voq_may_send(cs, q) && send_head(sw, q, now)) {
				sent = true;
				cs->held_rr = (i + 1) % n; /* the next round starts after the last served */
			}
			if (!voq_may_send(cs, q)) {
				set_held_back(cs, q, false);
				maybe_request(sw, q, now);
			}
		}
	}
}

void cell_ingress_credit(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	struct cell_voq *q;

	if (h->src_leaf >= cs->fab->n_leaves || h->dst_port >= cs->fab->max_ports || h->cls >= cs->fab->cfg.n_classes)
		return;
	q = cs->voq[voq_index(cs, h->src_leaf, h->dst_port, h->cls)];
	cs->c.credit_bytes_rx += h->seq_or_bytes;
	if (q == NULL)
		return;
	loom_voq_credit(&q->acct, h->seq_or_bytes);
	q->last_credit_ns = now;
	/* A VOQ waiting for uplink room keeps at most a few credits: the rest
	 * is given up (counted) and asked for again, so that it does not
	 * burst far over its share when room comes back. One that is not
	 * waiting keeps what it asked for ahead (loom/cell/voq.h): given up,
	 * it would be asked for again and the port's credit time spent twice. */
	int64_t cap = 4 * (int64_t)cs->fab->cfg.credit_bytes;
	if (q->held_back && q->acct.balance > cap) {
		cs->c.credit_bytes_unused += (uint64_t)(q->acct.balance - cap);
		q->acct.balance = cap;
	}
	voq_serve(sw, q, now);
}

/* Control cells lost (a link taken down under them) would leave a VOQ
 * waiting forever: a VOQ that asked and got no credit for
 * request_refresh_ns forgets what it asked for and asks again. */
loom_time_ns cell_ingress_timers(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	loom_time_ns next = LOOM_TIME_NEVER, refresh = cs->fab->cfg.request_refresh_ns;

	if (cs->n_held_back > 0)
		serve_held_back(sw, now); /* uplink room again? */
	for (uint32_t i = 0; i < cs->n_voq_slots; i++) {
		struct cell_voq *q = cs->voq[i];

		/* (a VOQ to this leaf's own port asks by a call: nothing to lose) */
		if (q == NULL || q->acct.outstanding == 0 || q->acct.pkts == 0 || q->dst_leaf == cs->leaf)
			continue;
		if (now >= q->last_credit_ns + refresh) {
			q->acct.outstanding = 0;
			cs->c.request_refreshes++;
			maybe_request(sw, q, now);
			q->last_credit_ns = now;
		}
		if (q->last_credit_ns + refresh < next)
			next = q->last_credit_ns + refresh;
	}
	if (cs->n_held_back > 0 && now + cs->retry_ns < next)
		next = now + cs->retry_ns;
	return next;
}
