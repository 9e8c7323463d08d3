/* SPDX-License-Identifier: BSD-3-Clause */
/* Generator hosts' receiver credits (see gen_credit.h). */
#include <stddef.h>

#include "gen_cc.h"
#include "gen_credit.h"
#include "gen_feedback.h"
#include "gen_state.h"
#include "gen_transport.h"
#include "loom/traffic/workload.h"

/* Whether f's set-up asks for receiver credits (cc_params receiver_credit). */
static bool wanted(const struct loom_gen_tx_flow *f)
{
	const struct loom_cc_params *ps = &f->cc_params;

	return f->spec.cc == LOOM_FLOW_CC_NSCC && (ps->set & (1u << LOOM_CC_RECEIVER_CREDIT)) &&
	       ps->v[LOOM_CC_RECEIVER_CREDIT] != 0;
}

void loom_gen_credit_config(struct loom_gen_tx_flow *tf, struct loom_gen_rx_flow *rx)
{
	tf->credit.on = wanted(tf);
	rx->credit.on = tf->credit.on;
	rx->credit.frame = tf->frame_bytes;
	/* NSCC's base RTT, which its init (loom_gen_cc_init_tx) has set */
	rx->credit.lead = tf->spec.cc == LOOM_FLOW_CC_NSCC ? tf->nscc.base_rtt : 0;
}

/* The speculative window in frame bytes: credit_spec (payload bytes) or
 * NSCC's first window, in whole packets. */
static uint64_t spec_frames(const struct loom_gen_tx_flow *f)
{
	const struct loom_cc_params *ps = &f->cc_params;
	uint64_t b = (ps->set & (1u << LOOM_CC_CREDIT_SPEC)) ? (uint64_t)ps->v[LOOM_CC_CREDIT_SPEC] : f->nscc.cwnd;

	b = b / f->tp.mss + (b % f->tp.mss != 0);
	return (b ? b : 1) * f->frame_bytes; /* at least the first packet: it carries the request */
}

void loom_gen_credit_start(struct loom_gen_host *h)
{
	uint32_t quantum = 0;
	loom_time_ns lead = 0;

	for (uint32_t i = 0; i < h->n_tx; i++) {
		struct loom_gen_tx_flow *f = &h->tx[i];

		if (f->credit.on) /* speculation: credit_spec, or NSCC's first window, in frames */
			loom_rccc_tx_init(&f->credit.st, spec_frames(f));
		f->credit.retry = LOOM_TIME_NEVER;
	}
	h->credit.on = false;
	for (uint32_t i = 0; i < h->n_rx; i++) {
		struct loom_gen_rx_flow *r = &h->rx[i];

		loom_rccc_rx_init(&r->credit.st);
		r->credit.credit_frames = 0;
		if (r->credit.on) {
			h->credit.on = true;
			if ((uint32_t)r->credit.frame * LOOM_GEN_CREDIT_PULL_FRAMES > quantum)
				quantum = (uint32_t)r->credit.frame * LOOM_GEN_CREDIT_PULL_FRAMES;
			if (r->credit.lead > lead)
				lead = r->credit.lead;
		}
	}
	loom_rccc_pacer_init(&h->credit.pacer, h->link_rate_bps, quantum, lead);
	h->credit.due = LOOM_TIME_NEVER;
}

bool loom_gen_credit_may_send(struct loom_gen_tx_flow *f, loom_time_ns start)
{
	if (loom_rccc_tx_may_send(&f->credit.st)) {
		f->credit.retry = LOOM_TIME_NEVER;
		return true;
	}
	/* Without credit, a request lost on the way (a trim that dropped,
	 * not cut) would leave it waiting for ever: at its packets' timeout
	 * one packet goes anyway, carrying the request again. */
	if (f->credit.retry != LOOM_TIME_NEVER && start >= f->credit.retry) {
		f->credit.retry = LOOM_TIME_NEVER;
		return true;
	}
	f->credit.st.blocked++;
	f->due = loom_gen_tp_wait(f); /* a grant, or the timer */
	if (f->due == LOOM_TIME_NEVER) /* nothing out to time: a timeout of its own */
		f->due = start + (f->spec.rto_ns ? f->spec.rto_ns : LOOM_GEN_RTO_NS);
	if (f->credit.retry == LOOM_TIME_NEVER)
		f->credit.retry = f->due;
	return false;
}

uint64_t loom_gen_credit_request(const struct loom_gen_tx_flow *f)
{
	const struct loom_gen_tp_tx *t = &f->tp;
	uint64_t left, backlog, last, req;

	if (f->spec.recovery == LOOM_FLOW_RECOVERY_GO_BACK_N)
		left = t->n_pkts > t->gbn.nxt ? t->n_pkts - t->gbn.nxt : 0;
	else
		left = (t->n_pkts > t->sr.nxt ? t->n_pkts - t->sr.nxt : 0) + t->sr.n_resend;
	backlog = left * f->frame_bytes;
	/* the last packet is shorter (when it is still to send) */
	last = f->spec.bytes - (t->n_pkts - 1) * (uint64_t)t->mss;
	if (left && last < t->mss && backlog > t->mss - last)
		backlog -= t->mss - last;
	/* at most a window and a packet ahead (htsim's pull target); without
	 * the resends its NACKs asked for, which their receiver counts itself
	 * (loom_gen_credit_on_data) */
	req = loom_rccc_tx_request(&f->credit.st, backlog, f->nscc.cwnd + f->frame_bytes);
	if (f->spec.recovery == LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT) {
		uint64_t asked = t->naks * (uint64_t)f->frame_bytes;

		req = req > asked ? req - asked : 0;
	}
	return req;
}

bool loom_gen_credit_sent(struct loom_gen_tx_flow *f, uint32_t frame)
{
	return loom_rccc_tx_spend(&f->credit.st, frame);
}

uint32_t loom_gen_credit_on_grant(struct loom_gen_tx_flow *f, uint64_t granted, loom_time_ns now)
{
	loom_time_ns ready;

	if (!loom_rccc_tx_on_grant(&f->credit.st, granted) || !loom_rccc_tx_may_send(&f->credit.st))
		return 0;
	f->credit.retry = LOOM_TIME_NEVER;
	if (loom_gen_tp_done(f) || (f->chained && f->spec.start == LOOM_WL_START_CHAINED))
		return 0;
	ready = f->packets ? f->last_tx + loom_gen_cc_gap(f) : now;
	if (ready < now)
		ready = now;
	if (ready >= f->due)
		return 0;
	f->due = ready;
	return 1;
}

uint32_t loom_gen_credit_on_data(struct loom_gen_host *h, struct loom_gen_rx_flow *r, uint64_t request, bool unsol,
				 bool trimmed, uint32_t wire, loom_time_ns now)
{
	loom_time_ns was = h->credit.due;

	if (unsol)
		loom_rccc_pacer_unsolicited(&h->credit.pacer, wire, now);
	/* Selective repeat: what NACKs ask for again is counted here, by the
	 * receiver that sends them, not in the sender's request (which leaves
	 * out a frame for each NACK it heard, loom_gen_credit_request). A
	 * sender would otherwise ask for a trimmed packet's resend only on a
	 * later packet, and near a flow's end there is none (its credit spent,
	 * nothing it may send): it waited for its retransmission timeout. This
	 * packet's own NACK, if it was trimmed, is about to go. */
	if (request == LOOM_GEN_CREDIT_NO_REQ)
		request = 0;
	else if (r->recovery == LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT)
		request += (r->tp.naks + trimmed) * (uint64_t)r->credit.frame;
	if (request)
		loom_rccc_pacer_request(&h->credit.pacer, &r->credit.st, request, now);
	h->credit.due = loom_rccc_pacer_due(&h->credit.pacer);
	return h->credit.due < was;
}

/* Is feedback of rx flow `slot` queued, or an ACK of it held (it will carry
 * the grant)? A flow's first grant does not wait for a held ACK: its sender
 * is idle once its speculative window is out, and the ACK is held until
 * ack_every packets have come (a frame of its own goes ~1 us sooner). */
static bool feedback_coming(const struct loom_gen_host *h, uint32_t slot)
{
	const struct loom_gen_rx_flow *r = &h->rx[slot];

	if (r->recovery && r->tp.ack_cfg.every > 1 && loom_ack_held(&r->tp.ack) && r->credit.st.grants > 1)
		return true;
	for (uint32_t k = 0; k < h->fb_count; k++) {
		const struct loom_gen_feedback *fb = &h->fb[(h->fb_head + k) % LOOM_GEN_FEEDBACK_QUEUE];

		if (fb->rx_slot == slot && fb->kind != LOOM_GEN_FB_CNP)
			return true;
	}
	return false;
}

void loom_gen_credit_run(struct loom_gen_host *h, loom_time_ns now)
{
	int i;

	while ((i = loom_rccc_pacer_grant(&h->credit.pacer, &h->rx[0].credit.st, sizeof(h->rx[0]), h->n_rx, now)) >= 0) {
		if (!feedback_coming(h, (uint32_t)i)) {
			struct loom_gen_feedback fb = {.rx_slot = (uint32_t)i, .kind = LOOM_GEN_FB_CREDIT};

			h->rx[i].credit.credit_frames++;
			loom_gen_feedback_enqueue(h, &fb);
		}
	}
	h->credit.due = loom_rccc_pacer_due(&h->credit.pacer);
}

json_t *loom_gen_credit_json(const struct loom_gen_tx_flow *f, const struct loom_gen_rx_flow *r)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "spent_bytes", (json_int_t)f->credit.st.spent,
			 "blocked", (json_int_t)f->credit.st.blocked, "spec_bytes",
			 (json_int_t)f->credit.st.spec, "requested_bytes", (json_int_t)r->credit.st.request,
			 "granted_bytes", (json_int_t)r->credit.st.granted, "grants", (json_int_t)r->credit.st.grants,
			 "credit_frames", (json_int_t)r->credit.credit_frames);
}
