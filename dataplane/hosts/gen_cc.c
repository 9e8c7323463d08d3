/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts' congestion control (see gen_cc.h): feedback queued by
 * receivers, feedback packets built and read, senders' rate and window.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "gen_cc.h"
#include "loom/sim/link.h"

#define ROCEV2_PORT 4791u
#define BTH_OPCODE_CNP 0x81u
#define ENTROPY_PORT_BASE 49152u
#define ENTROPY_PORT_SPAN 16384u

int loom_gen_cc_init_tx(struct loom_gen_tx_flow *f, uint32_t mss, const char **why)
{
	*why = NULL;
	f->window_blocked = false;
	f->feedback = 0;
	f->last_frame = 0;
	if (f->spec.cc == LOOM_FLOW_CC_DCQCN) {
		loom_dcqcn_default(&f->dcqcn_cfg, f->rate_bps);
		if (loom_cc_params_apply_dcqcn(&f->cc_params, &f->dcqcn_cfg, why) < 0)
			return -EINVAL;
		loom_dcqcn_rp_init(&f->dcqcn, &f->dcqcn_cfg);
	} else if (f->spec.cc == LOOM_FLOW_CC_DCTCP) {
		loom_dctcp_default(&f->dctcp_cfg, mss);
		if (loom_cc_params_apply_dctcp(&f->cc_params, &f->dctcp_cfg, why) < 0)
			return -EINVAL;
		loom_dctcp_init(&f->dctcp, &f->dctcp_cfg);
	} else if (f->spec.cc == LOOM_FLOW_CC_NSCC) {
		loom_nscc_default(&f->nscc_cfg, mss, f->rate_bps);
		if (loom_cc_params_apply_nscc(&f->cc_params, &f->nscc_cfg, why) < 0)
			return -EINVAL;
		if (!f->spec.recovery) {
			*why = "nscc needs transport go_back_n or selective_repeat (its ACKs echo the send time)";
			return -EINVAL;
		}
		loom_nscc_init(&f->nscc, &f->nscc_cfg);
	}
	return 0;
}

void loom_gen_cc_init_rx(struct loom_gen_rx_flow *r, const struct loom_gen_tx_flow *f)
{
	r->cnps = r->acks = 0;
	if (r->cc == LOOM_FLOW_CC_DCQCN) {
		r->dcqcn_cfg = f->dcqcn_cfg;
		loom_dcqcn_np_init(&r->np);
	}
}

static uint64_t unacked(const struct loom_gen_tx_flow *f)
{
	return f->sent_payload > f->dctcp.snd_una ? f->sent_payload - f->dctcp.snd_una : 0;
}

bool loom_gen_cc_window_full(const struct loom_gen_tx_flow *f, uint32_t pkts)
{
	uint64_t small = (uint64_t)pkts * f->tp.mss;

	if (f->spec.cc == LOOM_FLOW_CC_NSCC)
		return f->nscc.cwnd < small && loom_gen_tp_inflight_bytes(f) >= f->nscc.cwnd;
	if (f->spec.cc == LOOM_FLOW_CC_DCTCP)
		return f->dctcp.cwnd < small &&
		       (f->spec.recovery ? loom_gen_tp_inflight_bytes(f) : unacked(f)) >= f->dctcp.cwnd;
	return false;
}

bool loom_gen_cc_may_send(struct loom_gen_tx_flow *f, loom_time_ns now)
{
	switch (f->spec.cc) {
	case LOOM_FLOW_CC_DCQCN:
		loom_dcqcn_rp_advance(&f->dcqcn, &f->dcqcn_cfg, now);
		f->rate_bps = loom_dcqcn_rp_rate(&f->dcqcn);
		return true;
	case LOOM_FLOW_CC_DCTCP:
		/* over a transport: what is outstanding, retransmissions aside */
		if ((f->spec.recovery ? loom_gen_tp_inflight_bytes(f) : unacked(f)) >= f->dctcp.cwnd) {
			f->window_blocked = true;
			return false;
		}
		return true;
	case LOOM_FLOW_CC_NSCC: /* always over a transport */
		if (loom_gen_tp_inflight_bytes(f) >= f->nscc.cwnd) {
			f->window_blocked = true;
			return false;
		}
		return true;
	default:
		return true;
	}
}

loom_time_ns loom_gen_cc_after_send(struct loom_gen_tx_flow *f, uint32_t frame, loom_time_ns start)
{
	f->last_frame = (uint16_t)frame;
	if (f->spec.cc == LOOM_FLOW_CC_DCQCN)
		loom_dcqcn_rp_on_send(&f->dcqcn, &f->dcqcn_cfg, frame, start);
	return start + loom_gen_cc_gap(f);
}

loom_time_ns loom_gen_cc_gap(const struct loom_gen_tx_flow *f)
{
	loom_time_ns wire = loom_link_serialization_ns(f->last_frame, f->rate_bps), pace;

	if (f->spec.cc != LOOM_FLOW_CC_NSCC)
		return wire;
	/* NSCC below its pacing window: one packet's payload per cwnd / srtt */
	pace = loom_nscc_pace_gap(&f->nscc, &f->nscc_cfg, f->tp.mss);
	return pace > wire ? pace : wire;
}

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
			tail->ece |= fb->ece;
			tail->ack_pkts += fb->ack_pkts;
			tail->ack_ce += fb->ack_ce;
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

static void enqueue(struct loom_gen_host *h, uint32_t rx_slot, uint8_t kind, bool ece, uint64_t ack_seq)
{
	struct loom_gen_feedback fb = {.rx_slot = rx_slot, .kind = kind, .ece = ece, .ack_seq = ack_seq};

	loom_gen_feedback_enqueue(h, &fb);
}

uint32_t loom_gen_cc_on_data(struct loom_gen_host *h, uint32_t rx_slot, bool ce, loom_time_ns now)
{
	struct loom_gen_rx_flow *r = &h->rx[rx_slot];

	switch (r->cc) {
	case LOOM_FLOW_CC_DCQCN:
		if (!loom_dcqcn_np_on_packet(&r->np, &r->dcqcn_cfg, ce, now))
			return 0;
		r->cnps++;
		enqueue(h, rx_slot, LOOM_GEN_FB_CNP, true, 0);
		return 1;
	case LOOM_FLOW_CC_DCTCP:
		if (r->recovery)
			return 0; /* the transport's ACKs carry the echo (gen_transport.c) */
		r->acks++;
		enqueue(h, rx_slot, LOOM_GEN_FB_ACK, ce, r->next_seq);
		return 1;
	default:
		return 0;
	}
}

void loom_gen_cc_on_transport_ack(struct loom_gen_tx_flow *f, uint64_t epsn, bool ece, bool nak,
				  uint64_t newly_acked, loom_time_ns ts_echo, const struct loom_gen_ack_counts *counts,
				  loom_time_ns now)
{
	uint64_t acked = epsn * (uint64_t)f->tp.mss;

	if (f->spec.cc == LOOM_FLOW_CC_NSCC) {
		if (nak) {
			loom_nscc_on_nack(&f->nscc, &f->nscc_cfg, ts_echo != LOOM_TIME_NEVER ? ts_echo : now, now);
		} else if (newly_acked && ts_echo != LOOM_TIME_NEVER) {
			uint64_t bytes = newly_acked * f->tp.mss;

			if (counts && counts->pkts) /* coalesced: its CE-marked share of the bytes */
				loom_nscc_on_ack_counted(&f->nscc, &f->nscc_cfg, bytes,
							 counts->ce >= counts->pkts ? bytes
										    : bytes * counts->ce / counts->pkts,
							 ts_echo, now);
			else
				loom_nscc_on_ack(&f->nscc, &f->nscc_cfg, bytes, ece, ts_echo, now);
		}
		f->window_blocked = false;
		return;
	}
	if (f->spec.cc != LOOM_FLOW_CC_DCTCP)
		return;
	if (acked > f->sent_payload)
		acked = f->sent_payload;
	if (counts && counts->pkts && !nak)
		loom_dctcp_on_ack_frac(&f->dctcp, &f->dctcp_cfg, acked, counts->ce, counts->pkts, f->sent_payload);
	else
		loom_dctcp_on_ack(&f->dctcp, &f->dctcp_cfg, acked, ece, f->sent_payload);
	f->window_blocked = false;
}

/* What follows a transport feedback's extension, as f's set-up says:
 * NSCC's echoed send time, then a coalescing flow's counts. */
static void read_tail(const struct loom_gen_tx_flow *f, const struct loom_gen_fb_tail *tail, loom_time_ns *ts_echo,
		      struct loom_gen_ack_counts *counts, bool *has_counts)
{
	uint32_t at = 0;

	*ts_echo = LOOM_TIME_NEVER;
	*has_counts = false;
	if (f->spec.cc == LOOM_FLOW_CC_NSCC) {
		if (tail->len < sizeof(uint64_t))
			return;
		memcpy(ts_echo, tail->b, sizeof(*ts_echo));
		*ts_echo = rte_be_to_cpu_64(*ts_echo);
		at = sizeof(uint64_t);
	}
	if (f->spec.ack_every > 1 && tail->len >= at + sizeof(*counts)) {
		memcpy(counts, tail->b + at, sizeof(*counts));
		counts->pkts = rte_be_to_cpu_32(counts->pkts);
		counts->ce = rte_be_to_cpu_32(counts->ce);
		*has_counts = true;
	}
}

uint32_t loom_gen_cc_on_feedback(struct loom_gen_host *h, const struct loom_gen_feedback_hdr *fb,
				 const struct loom_gen_feedback_ext *ext, const struct loom_gen_fb_tail *tail,
				 loom_time_ns now, bool *unknown)
{
	uint32_t slot = rte_be_to_cpu_32(fb->tx_slot);
	struct loom_gen_tx_flow *f;
	uint64_t ack, acked;
	bool was_blocked;

	*unknown = slot >= h->n_tx || h->tx[slot].spec.id != rte_be_to_cpu_32(fb->flow_id);
	if (*unknown)
		return 0;
	f = &h->tx[slot];
	f->feedback++;
	if (fb->kind == LOOM_GEN_FB_TP_ACK || fb->kind == LOOM_GEN_FB_TP_NAK) {
		struct loom_gen_ack_counts counts;
		loom_time_ns ts_echo;
		bool has_counts;

		*unknown = !f->spec.recovery || !ext;
		if (*unknown)
			return 0;
		read_tail(f, tail, &ts_echo, &counts, &has_counts);
		return loom_gen_tp_on_feedback(f, fb, ext, ts_echo, has_counts ? &counts : NULL, now);
	}
	if (fb->kind == LOOM_GEN_FB_CNP && f->spec.cc == LOOM_FLOW_CC_DCQCN) {
		loom_dcqcn_rp_on_cnp(&f->dcqcn, &f->dcqcn_cfg, now);
		f->rate_bps = loom_dcqcn_rp_rate(&f->dcqcn);
		/* the packet after the last one leaves at the new rate */
		if (f->due != LOOM_TIME_NEVER && f->packets)
			f->due = f->last_tx + loom_link_serialization_ns(f->last_frame, f->rate_bps);
		return 0;
	}
	if (fb->kind != LOOM_GEN_FB_ACK || f->spec.cc != LOOM_FLOW_CC_DCTCP)
		return 0;
	/* packets -> bytes: every packet but the last carries one MSS */
	ack = rte_be_to_cpu_64(fb->ack_seq);
	acked = ack >= f->packets ? f->sent_payload : ack * f->dctcp_cfg.mss;
	if (acked > f->sent_payload)
		acked = f->sent_payload;
	loom_dctcp_on_ack(&f->dctcp, &f->dctcp_cfg, acked, fb->ece != 0, f->sent_payload);
	was_blocked = f->window_blocked;
	if (!was_blocked || unacked(f) >= f->dctcp.cwnd)
		return 0;
	f->window_blocked = false;
	if (f->spec.bytes && f->sent_payload >= f->spec.bytes)
		return 0;
	f->due = f->last_tx + loom_link_serialization_ns(f->last_frame, f->rate_bps);
	if (f->due < now)
		f->due = now;
	return 1;
}

struct rte_mbuf *loom_gen_cc_build_feedback(struct loom_gen_host *h, const struct loom_gen_feedback *fb)
{
	const struct loom_gen_rx_flow *r = &h->rx[fb->rx_slot];
	bool cnp = fb->kind == LOOM_GEN_FB_CNP;
	bool tp = fb->kind == LOOM_GEN_FB_TP_ACK || fb->kind == LOOM_GEN_FB_TP_NAK;
	bool ts = tp && r->cc == LOOM_FLOW_CC_NSCC; /* the send time echoed (8 bytes more) */
	bool counted = tp && fb->counted;           /* a coalescing flow's counts (8 more) */
	uint32_t frame = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) +
			 (cnp ? LOOM_FRAME_BTH : 0) + sizeof(struct loom_gen_feedback_hdr) +
			 (tp ? sizeof(struct loom_gen_feedback_ext) : 0) + (ts ? sizeof(uint64_t) : 0) +
			 (counted ? sizeof(struct loom_gen_ack_counts) : 0);
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip = loom_gen_frame_alloc(h, frame, &m);

	if (!ip)
		return NULL;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	/* not ECN-capable; NSCC's ACKs, where the fabric trims, in the trimmed
	 * headers' class (htsim's header-only control packets share the
	 * high-priority queue): its delay sample is then the data's queueing */
	ip->type_of_service = (uint8_t)((ts && r->tp.trim_dscp != LOOM_GEN_NO_TRIM_DSCP ? r->tp.trim_dscp : r->dscp) << 2);
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
	struct loom_gen_feedback_hdr hdr = {
		.magic = rte_cpu_to_be_32(LOOM_GEN_FEEDBACK_MAGIC),
		.tx_slot = rte_cpu_to_be_32(r->tx_slot),
		.flow_id = rte_cpu_to_be_32(r->flow_id),
		.kind = fb->kind,
		.ece = fb->ece,
		.ack_seq = rte_cpu_to_be_64(fb->ack_seq),
	};
	memcpy(p, &hdr, sizeof(hdr));
	if (tp) {
		struct loom_gen_feedback_ext ext = {
			.psn = rte_cpu_to_be_64(fb->ext.psn),
			.sack_base = rte_cpu_to_be_64(fb->ext.sack_base),
			.sack = rte_cpu_to_be_64(fb->ext.sack),
		};
		memcpy(p + sizeof(hdr), &ext, sizeof(ext));
	}
	if (ts) {
		uint64_t echo = rte_cpu_to_be_64(fb->ts_echo);

		memcpy(p + sizeof(hdr) + sizeof(struct loom_gen_feedback_ext), &echo, sizeof(echo));
	}
	if (counted) {
		struct loom_gen_ack_counts c = {.pkts = rte_cpu_to_be_32(fb->ack_pkts), .ce = rte_cpu_to_be_32(fb->ack_ce)};

		memcpy(p + sizeof(hdr) + sizeof(struct loom_gen_feedback_ext) + (ts ? sizeof(uint64_t) : 0), &c, sizeof(c));
	}
	return m;
}

uint64_t loom_gen_cc_cuts(const struct loom_gen_tx_flow *f)
{
	if (f->spec.cc == LOOM_FLOW_CC_DCQCN)
		return f->dcqcn.st.cuts;
	if (f->spec.cc == LOOM_FLOW_CC_DCTCP)
		return f->dctcp.cuts;
	if (f->spec.cc == LOOM_FLOW_CC_NSCC)
		return f->nscc.cuts;
	return 0;
}
