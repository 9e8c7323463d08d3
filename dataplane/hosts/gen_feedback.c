/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts' feedback (see gen_feedback.h): the receiver's queue and
 * the packets built from it.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "gen_feedback.h"
#include "gen_feedback_compact.h"
#include "gen_frame.h"
#include "gen_state.h"

#define ROCEV2_PORT 4791u
#define BTH_OPCODE_CNP 0x81u
#define ENTROPY_PORT_BASE LOOM_GEN_ENTROPY_PORT_BASE
#define ENTROPY_PORT_SPAN LOOM_GEN_ENTROPY_PORT_SPAN

void loom_gen_feedback_enqueue(struct loom_gen_host *h, const struct loom_gen_feedback *fb)
{
	/* multi-plane: feedback goes back over the plane its data came in on */
	uint8_t plane = h->nic ? h->nic->rx_plane : 0;

	if (h->fb_count && (fb->kind == LOOM_GEN_FB_ACK || fb->kind == LOOM_GEN_FB_TP_ACK)) {
		/* merge with a still-queued ACK of the same flow and echo (a
		 * transport's: of the same selective-ACK block, bits joined) */
		struct loom_gen_feedback *tail =
			&h->fb[(h->fb_head + h->fb_count - 1) % LOOM_GEN_FEEDBACK_QUEUE];

		/* a coalescing flow's ACKs merge whatever their echo: their
		 * counts add up (its CE count says which were marked) */
		if (tail->kind == fb->kind && tail->rx_slot == fb->rx_slot &&
		    (tail->ece == fb->ece || fb->counted) && tail->ext.sack_base == fb->ext.sack_base &&
		    tail->plane == plane) {
			if (fb->ack_seq > tail->ack_seq)
				tail->ack_seq = fb->ack_seq;
			tail->ext.sack |= fb->ext.sack;
			tail->ts_echo = fb->ts_echo; /* NSCC: the newest packet's send time */
			tail->ev = fb->ev;           /* REPS: the newest packet's entropy */
			tail->ece |= fb->ece;
			tail->ack_pkts += fb->ack_pkts;
			tail->ack_ce += fb->ack_ce;
			for (unsigned int i = 0; i < fb->evs.n; i++)
				loom_gen_ev_echo_add(&tail->evs, fb->evs.ev[i], fb->evs.ce & (1u << i));
			return;
		}
	}
	if (h->fb_count == LOOM_GEN_FEEDBACK_QUEUE) {
		h->c.feedback_overflow++;
		return;
	}
	h->fb[(h->fb_head + h->fb_count) % LOOM_GEN_FEEDBACK_QUEUE] = *fb;
	h->fb[(h->fb_head + h->fb_count) % LOOM_GEN_FEEDBACK_QUEUE].plane = plane;
	h->fb_count++;
}

struct rte_mbuf *loom_gen_feedback_build(struct loom_gen_host *h, const struct loom_gen_feedback *fb)
{
	const struct loom_gen_rx_flow *r = &h->rx[fb->rx_slot];
	bool cnp = fb->kind == LOOM_GEN_FB_CNP;
	bool tp = fb->kind == LOOM_GEN_FB_TP_ACK || fb->kind == LOOM_GEN_FB_TP_NAK;
	bool ts = tp && r->cc == LOOM_FLOW_CC_NSCC; /* NSCC's: the send time echoed */
	/* a transport's tail: NSCC's time, a coalescing flow's counts (and a
	 * REPS flow's ports), a credit flow's grant (gen_credit.h) */
	struct loom_gen_fb_tail_layout tl =
		loom_gen_fb_tail_layout(r->cc, r->entropy, tp && fb->counted, tp && r->credit.on);
	uint8_t cflags = 0;
	uint32_t compact = tp ? loom_gen_feedback_compact_len(r, fb, &cflags) : 0; /* a transport's: compact */
	uint32_t frame = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) +
			 (cnp ? LOOM_FRAME_BTH : 0) +
			 (compact ? compact
				  : sizeof(struct loom_gen_feedback_hdr) +
					    (tp ? sizeof(struct loom_gen_feedback_ext) + tl.len : 0));
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip = loom_gen_frame_alloc(h, frame, &m);

	if (!ip)
		return NULL;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	/* not ECN-capable; NSCC's ACKs, where the fabric trims, in the trimmed
	 * headers' class (htsim's header-only control packets share the
	 * high-priority queue): its delay sample is then the data's queueing */
	ip->type_of_service = (uint8_t)(((ts || fb->kind == LOOM_GEN_FB_CREDIT) && r->tp.trim_dscp != LOOM_GEN_NO_TRIM_DSCP
						 ? r->tp.trim_dscp
						 : r->dscp)
					<< 2);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(frame - RTE_ETHER_HDR_LEN));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = h->ipv4;
	ip->dst_addr = r->src_ipv4;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t port = (uint16_t)(ENTROPY_PORT_BASE + r->flow_id % ENTROPY_PORT_SPAN);
	udp->src_port = rte_cpu_to_be_16(port);
	udp->dst_port = rte_cpu_to_be_16(cnp ? ROCEV2_PORT : port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(frame - RTE_ETHER_HDR_LEN - sizeof(*ip)));
	udp->dgram_cksum = 0;

	uint8_t *p = (uint8_t *)(udp + 1);
	if (cnp) {
		memset(p, 0, LOOM_FRAME_BTH);
		p[0] = BTH_OPCODE_CNP;
		p[2] = 0xff;
		p[3] = 0xff;
		p += LOOM_FRAME_BTH;
	}
	if (compact) {
		loom_gen_feedback_compact_write(p, r, fb, cflags);
		return m;
	}
	struct loom_gen_feedback_hdr hdr = {
		.magic = rte_cpu_to_be_32(LOOM_GEN_FEEDBACK_MAGIC),
		.tx_slot = rte_cpu_to_be_32(r->tx_slot),
		.flow_id = rte_cpu_to_be_32(r->flow_id),
		.kind = fb->kind,
		.ece = fb->ece,
		.ev = rte_cpu_to_be_16(r->entropy == LOOM_FLOW_ENTROPY_REPS ? fb->ev : 0),
		/* a credit frame: the grant as it is now (cumulative) */
		.ack_seq = rte_cpu_to_be_64(fb->kind == LOOM_GEN_FB_CREDIT ? r->credit.st.granted : fb->ack_seq),
	};
	memcpy(p, &hdr, sizeof(hdr));
	if (!tp)
		return m;
	struct loom_gen_feedback_ext ext = {
		.psn = rte_cpu_to_be_64(fb->ext.psn),
		.sack_base = rte_cpu_to_be_64(fb->ext.sack_base),
		.sack = rte_cpu_to_be_64(fb->ext.sack),
	};
	uint8_t *tail = p + sizeof(hdr) + sizeof(ext);

	memcpy(p + sizeof(hdr), &ext, sizeof(ext));
	if (tl.ts != LOOM_GEN_FB_TAIL_NONE) {
		uint64_t echo = rte_cpu_to_be_64(fb->ts_echo);

		memcpy(tail + tl.ts, &echo, sizeof(echo));
	}
	if (tl.counts != LOOM_GEN_FB_TAIL_NONE) {
		struct loom_gen_ack_counts c = {.pkts = rte_cpu_to_be_32(fb->ack_pkts), .ce = rte_cpu_to_be_32(fb->ack_ce)};

		memcpy(tail + tl.counts, &c, sizeof(c));
	}
	if (tl.evs != LOOM_GEN_FB_TAIL_NONE) {
		struct loom_gen_ev_echo e = {.n = fb->evs.n, .ce = fb->evs.ce};

		for (unsigned int i = 0; i < fb->evs.n && i < LOOM_GEN_EV_ECHO_MAX; i++)
			e.ev[i] = rte_cpu_to_be_16(fb->evs.ev[i]);
		memcpy(tail + tl.evs, &e, sizeof(e));
	}
	if (tl.grant != LOOM_GEN_FB_TAIL_NONE) { /* the grant as it is now (cumulative) */
		uint64_t g = rte_cpu_to_be_64(r->credit.st.granted);

		memcpy(tail + tl.grant, &g, sizeof(g));
	}
	return m;
}
