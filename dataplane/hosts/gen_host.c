/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator host handlers (see gen_host.h): paced senders and per-flow
 * receivers. Reads no clock: `now` comes from the runner.
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "gen_cc.h"
#include "gen_feedback.h"
#include "gen_feedback_compact.h"
#include "gen_frame.h"
#include "gen_host.h"
#include "loom/sim/link.h"
#include "loom/traffic/workload.h"

#define ROCEV2_PORT 4791u
#define BTH_OPCODE_UD_SEND_ONLY 0x64u
#define ENTROPY_PORT_BASE LOOM_GEN_ENTROPY_PORT_BASE
#define ENTROPY_PORT_SPAN LOOM_GEN_ENTROPY_PORT_SPAN
#define IPV4_ECN_MASK 0x03u
#define IPV4_ECN_ECT0 0x02u
#define IPV4_ECN_CE 0x03u

/* loom/frame.h's sizes, which control/ checks flows against, are DPDK's and this file's. */
_Static_assert(LOOM_FRAME_HDR_UDP == RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr),
	       "LOOM_FRAME_HDR_UDP");
_Static_assert(LOOM_FRAME_GEN_PAYLOAD == sizeof(struct loom_gen_payload), "LOOM_FRAME_GEN_PAYLOAD");
/* A generator frame fits its link's MTU (gen_config.c checks each flow), so
 * one mbuf of the pool loomd sizes for the largest MTU (loom_mbuf_room_for_mtu). */
_Static_assert(LOOM_FRAME_GEN_MAX == LOOM_MTU_MAX + RTE_ETHER_HDR_LEN, "a generator frame: at most the largest MTU's");

static inline uint32_t header_bytes(const struct loom_gen_tx_flow *f)
{
	return f->spec.transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_HDR_ROCEV2 : LOOM_FRAME_HDR_UDP;
}

/* When the packet after `sent_wire` bytes (the flow's packet number
 * `packets`) may leave: exact, no drift; an on/off flow adds its idle
 * time once per burst sent. */
static loom_time_ns pace(const struct loom_gen_tx_flow *f, uint64_t sent_wire)
{
	loom_time_ns ser = loom_link_serialization_ns(sent_wire, f->rate_bps);

	if (f->burst_packets) {
		uint64_t bursts = f->packets / f->burst_packets;

		if (ser == LOOM_TIME_NEVER || (bursts && f->spec.idle_ns > (LOOM_TIME_NEVER - ser) / bursts))
			return LOOM_TIME_NEVER;
		ser += bursts * f->spec.idle_ns;
	}
	if (ser == LOOM_TIME_NEVER || f->spec.start > LOOM_TIME_NEVER - ser)
		return LOOM_TIME_NEVER;
	return f->spec.start + ser;
}

/* The NIC's idle time up to `now` (gen_acct.h). */
static inline uint64_t nic_idle(const struct loom_gen_host *h, loom_time_ns now)
{
	return loom_gen_acct_idle(h->nic_idle_ns, h->link_free, now);
}

/* A frame starts on the NIC at `start` and takes it until `end`. */
static inline void nic_frame(struct loom_gen_host *h, loom_time_ns start, loom_time_ns end)
{
	h->nic_idle_ns = nic_idle(h, start);
	h->link_free = end;
}

static inline bool flow_done(const struct loom_gen_tx_flow *f)
{
	if (f->spec.recovery) /* done when every packet is acknowledged */
		return loom_gen_tp_done(f);
	return f->spec.bytes != 0 && f->sent_payload >= f->spec.bytes;
}

/* Does the host receive any flow of collective phase `group`? */
static bool receives_group(const struct loom_gen_host *h, uint32_t group)
{
	for (uint32_t i = 0; i < h->n_rx; i++)
		if (h->rx[i].group == group)
			return true;
	return false;
}

static void release(struct loom_gen_tx_flow *f, loom_time_ns now)
{
	f->spec.start = now;
	f->due = flow_done(f) ? LOOM_TIME_NEVER : now;
}

void loom_gen_host_start(struct loom_gen_host *h)
{
	h->link_free = 0;
	h->nic_idle_ns = 0;
	h->fb_head = h->fb_count = 0;
	h->ack_due = LOOM_TIME_NEVER;
	loom_gen_pause_init(&h->pause);
	for (uint32_t i = 0; i < h->n_rx; i++) {
		h->rx[i].fb_frames = h->rx[i].fb_bytes = 0;
		if (h->rx[i].recovery)
			loom_gen_tp_init_rx(&h->rx[i], h->rx[i].tp.trim_dscp);
	}
	for (uint32_t i = 0; i < h->n_tx; i++) {
		struct loom_gen_tx_flow *f = &h->tx[i];
		uint32_t g = f->spec.group;

		f->sent_wire = f->sent_payload = f->packets = 0;
		f->first_tx = f->last_tx = LOOM_TIME_NEVER;
		loom_gen_acct_init(&f->acct);
		if (f->spec.recovery)
			loom_gen_tp_init_tx(f, f->frame_bytes - header_bytes(f));
		if (f->spec.entropy == LOOM_FLOW_ENTROPY_REPS)
			loom_gen_reps_start(h, f);
		f->chained = f->spec.start == LOOM_WL_START_CHAINED;
		f->due = flow_done(f) ? LOOM_TIME_NEVER : f->spec.start;
		if (f->chained && (LOOM_WL_GROUP_PHASE(g) == 0 ||
				   !receives_group(h, LOOM_WL_GROUP(LOOM_WL_GROUP_COLLECTIVE(g), LOOM_WL_GROUP_PHASE(g) - 1))))
			release(f, 0); /* nothing to wait for */
	}
	loom_gen_credit_start(h);
}

/* Receiving flow r completed at `now`: when that finishes the host's part
 * of its collective phase, the host's flows of the next phase start. */
static uint32_t phase_completed(struct loom_gen_host *h, const struct loom_gen_rx_flow *r, loom_time_ns now)
{
	uint32_t next, released = 0;

	if (r->group == 0 || LOOM_WL_GROUP_PHASE(r->group) + 1 >= LOOM_WL_MAX_PHASES)
		return 0;
	for (uint32_t i = 0; i < h->n_rx; i++)
		if (h->rx[i].group == r->group && h->rx[i].completed == LOOM_TIME_NEVER)
			return 0;
	next = LOOM_WL_GROUP(LOOM_WL_GROUP_COLLECTIVE(r->group), LOOM_WL_GROUP_PHASE(r->group) + 1);
	for (uint32_t i = 0; i < h->n_tx; i++) {
		struct loom_gen_tx_flow *f = &h->tx[i];

		if (f->chained && f->spec.group == next && f->spec.start == LOOM_WL_START_CHAINED) {
			release(f, now);
			released++;
		}
	}
	return released;
}

/* When f may send: its due time, or the end of a PAUSE of its class. */
static inline loom_time_ns flow_due(const struct loom_gen_host *h, const struct loom_gen_tx_flow *f)
{
	return loom_gen_pause_hold_end(&h->pause, f->pfc_class, f->due);
}

/* The flow due first (ties: lowest index), or -1 when none is pending. */
static int next_flow(const struct loom_gen_host *h)
{
	loom_time_ns best = LOOM_TIME_NEVER;
	int k = -1;

	for (uint32_t i = 0; i < h->n_tx; i++) {
		loom_time_ns due = flow_due(h, &h->tx[i]);

		if (due < best) {
			best = due;
			k = (int)i;
		}
	}
	return k;
}

loom_time_ns loom_gen_host_next_tx_time(const struct loom_gen_host *h, loom_time_ns now)
{
	int k = next_flow(h);
	loom_time_ns t = LOOM_TIME_NEVER;

	if (h->fb_count) /* feedback goes as soon as the NIC is free */
		return h->link_free > now ? h->link_free : now;
	if (k >= 0) {
		t = flow_due(h, &h->tx[k]);
		t = t > h->link_free ? t : h->link_free;
		if (unlikely(h->nic)) { /* and its plane's link free (gen_plane.h) */
			loom_time_ns pf = h->nic->plane[loom_gen_plane_pick(h, &h->tx[k], t)].link_free;

			t = pf > t ? pf : t;
		}
	}
	if (unlikely(h->ack_due < t)) /* a held ACK's timer (gen_transport.h) */
		t = h->ack_due;
	if (unlikely(h->credit.due < t)) /* the credit pacer's next grant (gen_credit.h) */
		t = h->credit.due;
	if (t == LOOM_TIME_NEVER)
		return t;
	return t > now ? t : now;
}

static uint16_t flow_src_port(struct loom_gen_host *h, struct loom_gen_tx_flow *f, loom_time_ns now)
{
	if (f->spec.entropy == LOOM_FLOW_ENTROPY_REPS)
		return loom_gen_reps_src_port(f, now);
	if (f->spec.entropy == LOOM_FLOW_ENTROPY_PER_PACKET)
		return (uint16_t)(ENTROPY_PORT_BASE + (h->rng = loom_xorshift64(h->rng)) % ENTROPY_PORT_SPAN);
	if (f->spec.src_port)
		return f->spec.src_port;
	return (uint16_t)(ENTROPY_PORT_BASE + f->spec.id % ENTROPY_PORT_SPAN);
}

/* Ethernet / IPv4 / UDP [/ BTH] / loom_gen_payload, `frame` bytes long. */
static struct rte_mbuf *build_packet(struct loom_gen_host *h, struct loom_gen_tx_flow *f, uint32_t frame,
				     loom_time_ns now, uint64_t seq, uint32_t flags)
{
	struct rte_mbuf *m;
	/* The payload after the generator's header is not written: nothing
	 * reads it, and filling ~1.4 KB per packet was a tenth of the
	 * virtual-time run's profile. It holds what the buffer held before
	 * (an earlier packet's bytes, or zeros). */
	struct rte_ipv4_hdr *ip = loom_gen_frame_alloc(h, frame, &m);

	if (!ip)
		return NULL;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = (uint8_t)(f->spec.dscp << 2 | (f->spec.ecn_capable ? IPV4_ECN_ECT0 : 0));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(frame - RTE_ETHER_HDR_LEN));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)f->packets);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = h->ipv4;
	ip->dst_addr = f->dst_ipv4;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	bool roce = f->spec.transport == LOOM_FLOW_ROCEV2;
	udp->src_port = rte_cpu_to_be_16(flow_src_port(h, f, now));
	udp->dst_port = rte_cpu_to_be_16(roce ? ROCEV2_PORT : (uint16_t)(ENTROPY_PORT_BASE + f->spec.id % ENTROPY_PORT_SPAN));
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(frame - RTE_ETHER_HDR_LEN - sizeof(*ip)));
	udp->dgram_cksum = 0; /* optional over IPv4; RoCEv2 leaves it 0 too */

	uint8_t *p = (uint8_t *)(udp + 1);
	if (roce) {
		uint32_t qp = f->spec.id & 0xffffffu, psn = (uint32_t)seq & 0xffffffu;

		memset(p, 0, LOOM_FRAME_BTH);
		p[0] = BTH_OPCODE_UD_SEND_ONLY;
		p[2] = 0xff; /* P_Key 0xffff (default partition) */
		p[3] = 0xff;
		p[5] = (uint8_t)(qp >> 16);
		p[6] = (uint8_t)(qp >> 8);
		p[7] = (uint8_t)qp;
		p[9] = (uint8_t)(psn >> 16);
		p[10] = (uint8_t)(psn >> 8);
		p[11] = (uint8_t)psn;
		p += LOOM_FRAME_BTH;
	}
	struct loom_gen_payload pl = {
		.magic = rte_cpu_to_be_32(LOOM_GEN_PAYLOAD_MAGIC),
		.rx_slot = rte_cpu_to_be_32(f->rx_slot),
		.flow_id = rte_cpu_to_be_32(f->spec.id),
		.reserved = rte_cpu_to_be_32(flags),
		.seq = rte_cpu_to_be_64(seq),
		.tx_time = rte_cpu_to_be_64(now),
	};
	memcpy(p, &pl, sizeof(pl));
	return m;
}

/* A flow with loss recovery at `start` (gen_transport.h): its timer, its
 * CC's window, then the packet its transport picks; a scripted loss or a
 * packet without a buffer takes its wire time and is lost. Sets f->due;
 * returns the packets put in out (0 or 1). */
static uint16_t send_recovering(struct loom_gen_host *h, struct loom_gen_tx_flow *f, loom_time_ns start,
				loom_time_ns now, struct rte_mbuf **out)
{
	uint64_t psn;
	uint32_t payload, frame, flags = 0;
	bool lost, retx;
	loom_time_ns wait;
	struct rte_mbuf *m = NULL;

	f->no_buffer_now = false;
	loom_gen_tp_run_timer(f, start);
	if (!loom_gen_cc_may_send(f, loom_gen_tp_inflight_bytes(f), start)) { /* window full: an ACK or the timer reopens it */
		if (loom_gen_tp_has_data(f)) {
			loom_gen_acct_wait(&f->acct, LOOM_GEN_WAIT_WINDOW, start, nic_idle(h, start));
		} else { /* nothing to send: no wait (as below) */
			if (f->acct.wait == LOOM_GEN_WAIT_PACING)
				f->acct.wait = LOOM_GEN_WAIT_NONE;
			loom_gen_acct_end(&f->acct, nic_idle(h, start));
		}
		f->due = loom_gen_tp_wait(f);
		return 0;
	}
	if (unlikely(f->credit.on) && loom_gen_tp_has_data(f) && !loom_gen_credit_may_send(f, start))
		return 0; /* a grant reopens it (gen_credit.h) */
	if (!loom_gen_tp_next(f, start, &psn, &payload, &lost, &wait, &retx)) {
		/* nothing to send (all sent, waiting for ACKs or the timer):
		 * the wait since its last packet was not pacing */
		if (f->acct.wait == LOOM_GEN_WAIT_PACING)
			f->acct.wait = LOOM_GEN_WAIT_NONE;
		loom_gen_acct_end(&f->acct, nic_idle(h, start));
		f->due = wait;
		return 0;
	}
	/* a coalescing receiver acknowledges the last packet, a
	 * retransmission and one that fills a window of fewer than
	 * ack_every packets at once (a larger one keeps ACKs coming) */
	if (unlikely(f->spec.ack_every > 1) &&
	    (retx || psn + 1 == f->tp.n_pkts || loom_gen_cc_window_full(f, f->spec.ack_every, loom_gen_tp_inflight_bytes(f))))
		flags |= LOOM_GEN_PL_ACK_REQ;
	frame = header_bytes(f) + payload;
	if (unlikely(f->credit.on)) {
		if (loom_gen_credit_sent(f, frame))
			flags |= LOOM_GEN_PL_CREDIT_UNSOL;
		if (payload >= sizeof(struct loom_gen_payload) + sizeof(uint64_t))
			flags |= LOOM_GEN_PL_CREDIT_REQ;
	}
	if (!lost) {
		m = build_packet(h, f, frame, start, psn, flags);
		if (!m) {
			f->no_buffer++;
			f->no_buffer_now = true;
		} else if (flags & LOOM_GEN_PL_CREDIT_REQ) { /* its request, after the payload header */
			uint64_t req;

			req = rte_cpu_to_be_64(loom_gen_credit_request(f));
			memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, header_bytes(f) + sizeof(struct loom_gen_payload)),
			       &req, sizeof(req));
		}
	}
	f->packets++;
	f->sent_wire += frame;
	if (f->first_tx == LOOM_TIME_NEVER)
		f->first_tx = start;
	f->last_tx = start;
	loom_gen_tp_after_send(f);
	f->due = loom_gen_cc_after_send(f, frame, start);
	if (f->no_buffer_now && f->due <= now)
		f->due = now + loom_link_serialization_ns(frame, h->link_rate_bps);
	nic_frame(h, start, start + loom_link_serialization_ns(frame, h->link_rate_bps));
	loom_gen_acct_sent(&f->acct, h->nic_idle_ns, h->link_free); /* its wait ends, the next begins */
	if (!m)
		return 0;
	*out = m;
	h->c.tx_packets++;
	h->c.tx_bytes += frame;
	return 1;
}

uint16_t loom_gen_host_transmit(struct loom_gen_host *h, struct rte_mbuf **out, uint16_t max, loom_time_ns now)
{
	uint16_t n = 0;

	while (n < max) {
		int k;
		unsigned int pl = 0;
		struct loom_gen_tx_flow *f;
		uint32_t frame, payload;
		loom_time_ns start;
		struct rte_mbuf *m;

		if (unlikely(h->ack_due <= now)) /* held ACKs due (gen_transport.h) */
			loom_gen_tp_ack_timers(h, now);
		if (unlikely(h->credit.due <= now)) /* grants due (gen_credit.h) */
			loom_gen_credit_run(h, now);
		if (h->fb_count) {
			if (h->link_free > now)
				break;
			if (now >= h->stop_at) { /* the run is over: feedback too */
				h->fb_count = 0;
				continue;
			}
			m = loom_gen_feedback_build(h, &h->fb[h->fb_head]);
			if (!m)
				break; /* no buffer: it stays queued */
			if (unlikely(h->nic))
				loom_gen_plane_feedback_sent(h, &h->fb[h->fb_head], m, now);
			h->rx[h->fb[h->fb_head].rx_slot].fb_frames++;
			h->rx[h->fb[h->fb_head].rx_slot].fb_bytes += rte_pktmbuf_pkt_len(m);
			h->fb_head = (h->fb_head + 1) % LOOM_GEN_FEEDBACK_QUEUE;
			h->fb_count--;
			out[n++] = m;
			h->c.tx_packets++;
			h->c.tx_feedback++;
			h->c.tx_bytes += rte_pktmbuf_pkt_len(m);
			nic_frame(h, now, now + loom_link_serialization_ns(rte_pktmbuf_pkt_len(m), h->link_rate_bps));
			continue;
		}
		k = next_flow(h);
		if (k < 0)
			break;
		f = &h->tx[k];
		/* The packet's nominal departure: when it is due and the NIC is
		 * free. The virtual-time runner calls exactly then; a real-time
		 * poll may come later, and the host then catches up back to
		 * back (up to `max` per call) so that the rate holds. */
		start = flow_due(h, f);
		start = start > h->link_free ? start : h->link_free;
		if (unlikely(h->nic)) { /* the flow's plane, when its link is free too */
			pl = loom_gen_plane_pick(h, f, start);
			if (h->nic->plane[pl].link_free > start)
				start = h->nic->plane[pl].link_free;
		}
		if (start > now)
			break;
		if (start >= h->stop_at) { /* the run is over for this flow */
			f->due = LOOM_TIME_NEVER;
			continue;
		}
		if (f->spec.recovery) {
			/* its own window check: a full window waits for an ACK
			 * or the retransmission timer, never for ever */
			n += send_recovering(h, f, start, now, &out[n]);
			if (f->no_buffer_now)
				break; /* no buffer: put off (the transport recovers the packet) */
			continue;
		}
		if (!loom_gen_cc_may_send(f, 0, start)) { /* window full: an ACK reopens it */
			loom_gen_acct_wait(&f->acct, LOOM_GEN_WAIT_WINDOW, start, nic_idle(h, start));
			f->due = LOOM_TIME_NEVER;
			continue;
		}
		frame = f->frame_bytes;
		payload = frame - header_bytes(f);
		if (f->spec.bytes && f->spec.bytes - f->sent_payload < payload) {
			/* the last packet carries what is left (at least the
			 * generator's own header) */
			payload = (uint32_t)(f->spec.bytes - f->sent_payload);
			if (payload < sizeof(struct loom_gen_payload))
				payload = sizeof(struct loom_gen_payload);
			frame = header_bytes(f) + payload;
		}
		m = build_packet(h, f, frame, start, f->packets, 0);
		if (!m) {
			/* No buffer: put the packet off by one packet time and
			 * count it, rather than losing it silently. */
			f->no_buffer++;
			f->due = now + loom_link_serialization_ns(frame, h->link_rate_bps);
			break;
		}
		out[n++] = m;
		if (unlikely(h->nic))
			loom_gen_plane_sent(h, f, pl, m, start);
		f->packets++;
		f->sent_wire += frame;
		f->sent_payload += payload;
		if (f->first_tx == LOOM_TIME_NEVER)
			f->first_tx = start;
		f->last_tx = start;
		if (f->spec.cc == LOOM_FLOW_CC_NONE)
			f->due = flow_done(f) ? LOOM_TIME_NEVER : pace(f, f->sent_wire);
		else
			f->due = flow_done(f) ? LOOM_TIME_NEVER : loom_gen_cc_after_send(f, frame, start);
		h->c.tx_packets++;
		h->c.tx_bytes += frame;
		nic_frame(h, start, start + loom_link_serialization_ns(frame, h->link_rate_bps));
		loom_gen_acct_sent(&f->acct, h->nic_idle_ns, h->link_free); /* its wait ends, the next begins */
	}
	return n;
}

static inline void latency_add(struct loom_gen_rx_flow *r, uint64_t lat)
{
	if (r->packets == 0 || lat < r->lat_min)
		r->lat_min = lat;
	if (lat > r->lat_max)
		r->lat_max = lat;
	r->lat_sum += lat;
}

/* The rx flow this packet belongs to, with its payload header; NULL when
 * it is not one of ours. */
static struct loom_gen_rx_flow *classify(struct loom_gen_host *h, struct rte_mbuf *m, struct loom_gen_payload *pl,
					  uint8_t *tos, uint32_t *payload_bytes, struct loom_gen_feedback_hdr *fb,
					  struct loom_gen_feedback_ext *ext, bool *is_fb, bool *has_ext, int *plane,
					  struct loom_gen_fb_tail *tail, uint16_t *sport, uint64_t *credit_req, loom_time_ns now)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN, ihl;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)d;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	uint32_t slot;

	if (len < off + sizeof(*ip) || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	ip = (const struct rte_ipv4_hdr *)(d + off);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_UDP || ihl < sizeof(*ip))
		return NULL;
	*plane = 0;
	if (ip->dst_addr != h->ipv4 && (!h->nic || (*plane = loom_gen_plane_of(h, ip->dst_addr)) < 0))
		return NULL;
	off += ihl;
	if (len < off + sizeof(*udp))
		return NULL;
	udp = (const struct rte_udp_hdr *)(d + off);
	off += sizeof(*udp);
	if (udp->dst_port == rte_cpu_to_be_16(ROCEV2_PORT))
		off += LOOM_FRAME_BTH;
	if (len >= off + sizeof(struct loom_gen_feedback_compact) && d[off + offsetof(struct loom_gen_feedback_hdr, kind)] &
									      LOOM_GEN_FB_COMPACT) {
		/* a compact transport ACK or NAK (gen_feedback.h): expanded
		 * as its flow reads it; malformed, or for no flow of ours: the
		 * header alone (the sender counts it unknown) */
		struct loom_gen_feedback_compact c;

		memcpy(&c, d + off, sizeof(c));
		*is_fb = rte_be_to_cpu_32(c.magic) == LOOM_GEN_FEEDBACK_MAGIC;
		if (*is_fb) {
			uint32_t slot = rte_be_to_cpu_32(c.tx_slot);

			*has_ext = slot < h->n_tx && h->tx[slot].spec.id == rte_be_to_cpu_32(c.flow_id) &&
				   h->tx[slot].spec.recovery &&
				   loom_gen_feedback_expand(&h->tx[slot], d + off, len - off, now, fb, ext, tail);
			if (!*has_ext)
				*fb = (struct loom_gen_feedback_hdr){.magic = c.magic, .tx_slot = c.tx_slot,
								     .flow_id = c.flow_id, .kind = LOOM_GEN_FB_TP_ACK};
			return NULL;
		}
	}
	if (len >= off + sizeof(*fb)) { /* a CNP or an ACK for one of our flows (gen_cc.c) */
		memcpy(fb, d + off, sizeof(*fb));
		*is_fb = rte_be_to_cpu_32(fb->magic) == LOOM_GEN_FEEDBACK_MAGIC;
		if (*is_fb) {
			*has_ext = len >= off + sizeof(*fb) + sizeof(*ext);
			if (*has_ext)
				memcpy(ext, d + off + sizeof(*fb), sizeof(*ext));
			/* what follows it (NSCC's send time, a coalescing flow's
			 * counts): its sender reads it as the flow says (gen_cc.c) */
			if (*has_ext) {
				uint32_t at = off + (uint32_t)(sizeof(*fb) + sizeof(*ext));

				tail->len = len - at < sizeof(tail->b) ? len - at : (uint32_t)sizeof(tail->b);
				memcpy(tail->b, d + at, tail->len);
			}
			return NULL;
		}
	}
	if (len < off + sizeof(*pl))
		return NULL;
	memcpy(pl, d + off, sizeof(*pl));
	if (rte_be_to_cpu_32(pl->magic) != LOOM_GEN_PAYLOAD_MAGIC)
		return NULL;
	slot = rte_be_to_cpu_32(pl->rx_slot);
	if (slot >= h->n_rx || h->rx[slot].flow_id != rte_be_to_cpu_32(pl->flow_id))
		return NULL;
	if (unlikely(rte_be_to_cpu_32(pl->reserved) & LOOM_GEN_PL_CREDIT_REQ) &&
	    len >= off + sizeof(*pl) + sizeof(*credit_req)) { /* a credit flow's request (gen_credit.h) */
		memcpy(credit_req, d + off + sizeof(*pl), sizeof(*credit_req));
		*credit_req = rte_be_to_cpu_64(*credit_req);
	}
	*tos = ip->type_of_service;
	*sport = rte_be_to_cpu_16(udp->src_port);
	*payload_bytes = (uint32_t)(rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp)) -
			 (udp->dst_port == rte_cpu_to_be_16(ROCEV2_PORT) ? LOOM_FRAME_BTH : 0);
	return &h->rx[slot];
}

/* What follows a transport feedback's extension, where its flow's layout
 * (tl) has it: NSCC's echoed send time, a coalescing flow's counts and
 * ports. A tail too short for a part leaves it (and what follows) out. */
static void read_tail(const struct loom_gen_fb_tail_layout *tl, const struct loom_gen_fb_tail *tail,
		      loom_time_ns *ts_echo, struct loom_gen_ack_counts *counts, bool *has_counts,
		      struct loom_gen_ev_echo *evs)
{
	*ts_echo = LOOM_TIME_NEVER;
	*has_counts = false;
	evs->n = 0;
	if (tl->ts != LOOM_GEN_FB_TAIL_NONE) {
		if (tail->len < tl->ts + sizeof(uint64_t))
			return;
		memcpy(ts_echo, tail->b + tl->ts, sizeof(*ts_echo));
		*ts_echo = rte_be_to_cpu_64(*ts_echo);
	}
	if (tl->counts != LOOM_GEN_FB_TAIL_NONE && tail->len >= tl->counts + sizeof(*counts)) {
		memcpy(counts, tail->b + tl->counts, sizeof(*counts));
		counts->pkts = rte_be_to_cpu_32(counts->pkts);
		counts->ce = rte_be_to_cpu_32(counts->ce);
		*has_counts = true;
		if (tl->evs != LOOM_GEN_FB_TAIL_NONE && tail->len >= tl->evs + sizeof(*evs)) {
			memcpy(evs, tail->b + tl->evs, sizeof(*evs));
			if (evs->n > LOOM_GEN_EV_ECHO_MAX)
				evs->n = 0; /* not ours: REPS counts the header's port as invalid */
			for (unsigned int i = 0; i < evs->n; i++)
				evs->ev[i] = rte_be_to_cpu_16(evs->ev[i]);
		}
	}
}

/* Feedback for one of our flows goes to its transport (ACK, NAK) or its CC
 * (CNP, DCTCP's ACK); for no flow of ours, or a transport's for a flow
 * without one, it is ignored (returns 0, and *unknown is set). */
static uint32_t on_feedback(struct loom_gen_host *h, const struct loom_gen_feedback_hdr *fb,
			    const struct loom_gen_feedback_ext *ext, const struct loom_gen_fb_tail *tail, loom_time_ns now,
			    bool *unknown)
{
	uint32_t slot = rte_be_to_cpu_32(fb->tx_slot);
	struct loom_gen_tx_flow *f;
	struct loom_gen_fb_tail_layout tl;
	struct loom_gen_ack_counts counts;
	struct loom_gen_ev_echo evs;
	loom_time_ns ts_echo;
	bool has_counts;

	*unknown = slot >= h->n_tx || h->tx[slot].spec.id != rte_be_to_cpu_32(fb->flow_id);
	if (*unknown)
		return 0;
	f = &h->tx[slot];
	f->feedback++;
	if (fb->kind != LOOM_GEN_FB_CNP && f->acct.first_ack == LOOM_TIME_NEVER)
		f->acct.first_ack = now;
	tl = loom_gen_tx_fb_tail(f);
	read_tail(&tl, tail, &ts_echo, &counts, &has_counts, &evs);
	if (unlikely(f->credit.on)) { /* receiver credits: a grant, or an ACK ending with one (gen_credit.h) */
		uint64_t granted;

		if (fb->kind == LOOM_GEN_FB_CREDIT)
			return loom_gen_credit_on_grant(f, rte_be_to_cpu_64(fb->ack_seq), now);
		if (ext && tail->len >= tl.grant + sizeof(granted)) {
			memcpy(&granted, tail->b + tl.grant, sizeof(granted));
			loom_gen_credit_on_grant(f, rte_be_to_cpu_64(granted), now);
		}
	}
	if (f->spec.entropy == LOOM_FLOW_ENTROPY_REPS)
		loom_gen_reps_on_feedback(f, fb, evs.n ? &evs : NULL, now);
	if (fb->kind == LOOM_GEN_FB_TP_ACK || fb->kind == LOOM_GEN_FB_TP_NAK) {
		uint32_t sooner;

		*unknown = !f->spec.recovery || !ext;
		if (*unknown)
			return 0;
		sooner = loom_gen_tp_on_feedback(f, fb, ext, ts_echo, has_counts ? &counts : NULL, now);
		if (f->acct.wait == LOOM_GEN_WAIT_WINDOW &&
		    (!loom_gen_tp_has_data(f) || !loom_gen_cc_window_full(f, UINT32_MAX, loom_gen_tp_inflight_bytes(f))))
			loom_gen_acct_wait(&f->acct, loom_gen_tp_has_data(f) ? LOOM_GEN_WAIT_PACING : LOOM_GEN_WAIT_NONE, now,
					   nic_idle(h, now)); /* its window opened (gen_acct.h) */
		return sooner;
	}
	if (loom_gen_cc_on_feedback(f, fb, now) == 0)
		return 0;
	if (f->acct.wait == LOOM_GEN_WAIT_WINDOW) /* DCTCP's window opened */
		loom_gen_acct_wait(&f->acct, LOOM_GEN_WAIT_PACING, now, nic_idle(h, now));
	return 1;
}

uint32_t loom_gen_host_receive(struct loom_gen_host *h, struct rte_mbuf **pkts, uint16_t n, loom_time_ns now)
{
	uint32_t changed = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct loom_gen_payload pl;
		uint32_t wire = rte_pktmbuf_pkt_len(m), payload = 0;
		uint8_t tos = 0;
		struct loom_gen_feedback_hdr fb;
		struct loom_gen_feedback_ext ext;
		bool is_fb = false, unknown = false, has_ext = false;
		int plane = 0;
		struct loom_gen_fb_tail tail = {.len = 0};
		uint16_t sport = 0;
		uint64_t credit_req = LOOM_GEN_CREDIT_NO_REQ;
		struct loom_gen_rx_flow *r = classify(h, m, &pl, &tos, &payload, &fb, &ext, &is_fb, &has_ext, &plane,
						      &tail, &sport, &credit_req, now);
		uint64_t seq, tx_time;

		h->c.rx_packets++;
		h->c.rx_bytes += wire;
		if (unlikely(!r && !is_fb)) {
			bool released;

			if (loom_gen_pause_receive(h, m, now, &released)) { /* a PFC frame from the leaf */
				rte_pktmbuf_free(m);
				changed += released;
				continue;
			}
		}
		rte_pktmbuf_free(m);
		if (is_fb) {
			h->c.rx_feedback++;
			if (unlikely(h->nic))
				loom_gen_plane_on_feedback(h, (unsigned int)plane, fb.kind == LOOM_GEN_FB_CNP || fb.ece, now);
			changed += on_feedback(h, &fb, has_ext ? &ext : NULL, &tail, now, &unknown);
			h->c.rx_unknown += unknown;
			continue;
		}
		if (!r) {
			h->c.rx_unknown++;
			continue;
		}
		seq = rte_be_to_cpu_64(pl.seq);
		tx_time = rte_be_to_cpu_64(pl.tx_time);
		latency_add(r, now >= tx_time ? now - tx_time : 0);
		if (r->packets == 0) {
			r->first_rx = now;
			r->first_wire = wire;
		}
		r->packets++;
		r->last_rx = now;
		r->wire_bytes += wire;
		if ((tos & IPV4_ECN_MASK) == IPV4_ECN_CE)
			r->ce++;
		if (unlikely(h->nic)) {
			h->nic->rx_plane = (uint8_t)plane; /* its feedback goes back over it */
			loom_gen_plane_rx(h, r, (unsigned int)plane, wire, seq + 1 <= r->next_seq, now);
		}
		r->ts_echo = tx_time;
		r->ev_echo = sport;
		if (unlikely(r->credit.on))
			changed += loom_gen_credit_on_data(h, r, credit_req,
							   (rte_be_to_cpu_32(pl.reserved) & LOOM_GEN_PL_CREDIT_UNSOL) != 0,
							   loom_gen_tp_is_trimmed(r, tos), wire, now);
		if (r->recovery) {
			/* only new data counts (toward completion, and as reordered) */
			bool accept;

			changed += loom_gen_tp_on_data(h, (uint32_t)(r - h->rx), seq, tos,
						       (tos & IPV4_ECN_MASK) == IPV4_ECN_CE,
						       (rte_be_to_cpu_32(pl.reserved) & LOOM_GEN_PL_ACK_REQ) != 0, now, &accept);
			if (accept) {
				r->payload_bytes += payload;
				if (seq + 1 <= r->next_seq)
					r->reordered++;
				else
					r->next_seq = seq + 1;
			}
		} else {
			r->payload_bytes += payload;
			if (seq + 1 <= r->next_seq)
				r->reordered++;
			else
				r->next_seq = seq + 1;
		}
		changed += loom_gen_cc_on_data(h, (uint32_t)(r - h->rx), (tos & IPV4_ECN_MASK) == IPV4_ECN_CE, now);
		if (r->expect_bytes && r->completed == LOOM_TIME_NEVER && r->payload_bytes >= r->expect_bytes) {
			r->completed = now;
			if (r->recovery) /* a coalescing receiver's held ACK goes now */
				changed += loom_gen_tp_ack_flush(h, (uint32_t)(r - h->rx), now);
			changed += phase_completed(h, r, now);
		}
	}
	return changed;
}
