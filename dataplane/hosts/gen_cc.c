/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts' congestion control (see gen_cc.h): CNPs and ACKs queued
 * by receivers (gen_feedback.c queues and builds them), read by senders;
 * senders' rate and window.
 */
#include <errno.h>

#include <rte_byteorder.h>

#include "gen_cc.h"
#include "gen_feedback.h"
#include "loom/sim/link.h"


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

bool loom_gen_cc_window_full(const struct loom_gen_tx_flow *f, uint32_t pkts, uint64_t tp_inflight)
{
	uint64_t small = (uint64_t)pkts * f->tp.mss;

	if (f->spec.cc == LOOM_FLOW_CC_NSCC)
		return f->nscc.cwnd < small && tp_inflight >= f->nscc.cwnd;
	if (f->spec.cc == LOOM_FLOW_CC_DCTCP)
		return f->dctcp.cwnd < small && (f->spec.recovery ? tp_inflight : unacked(f)) >= f->dctcp.cwnd;
	return false;
}

bool loom_gen_cc_may_send(struct loom_gen_tx_flow *f, uint64_t tp_inflight, loom_time_ns now)
{
	switch (f->spec.cc) {
	case LOOM_FLOW_CC_DCQCN:
		loom_dcqcn_rp_advance(&f->dcqcn, &f->dcqcn_cfg, now);
		f->rate_bps = loom_dcqcn_rp_rate(&f->dcqcn);
		return true;
	case LOOM_FLOW_CC_DCTCP:
		/* over a transport: what is outstanding, retransmissions aside */
		if ((f->spec.recovery ? tp_inflight : unacked(f)) >= f->dctcp.cwnd) {
			f->window_blocked = true;
			return false;
		}
		return true;
	case LOOM_FLOW_CC_NSCC: /* always over a transport */
		if (tp_inflight >= f->nscc.cwnd) {
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

static void enqueue(struct loom_gen_host *h, uint32_t rx_slot, uint8_t kind, bool ece, uint64_t ack_seq)
{
	struct loom_gen_feedback fb = {.rx_slot = rx_slot, .kind = kind, .ece = ece, .ack_seq = ack_seq,
				       .ev = h->rx[rx_slot].ev_echo};

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

uint32_t loom_gen_cc_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb, loom_time_ns now)
{
	uint64_t ack, acked;
	bool was_blocked;

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
