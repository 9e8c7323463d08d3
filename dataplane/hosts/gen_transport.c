/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts' loss recovery (see gen_transport.h): PSNs, scripted
 * losses, ACK / NAK queued by receivers and read by senders.
 */
#include <rte_byteorder.h>

#include "gen_cc.h"
#include "gen_feedback.h"
#include "gen_state.h"
#include "gen_transport.h"
#include "loom/traffic/workload.h"

#define DSCP_OF(tos) ((uint8_t)((tos) >> 2))

void loom_gen_tp_init_tx(struct loom_gen_tx_flow *f, uint32_t mss)
{
	struct loom_gen_tp_tx *t = &f->tp;
	uint64_t b = f->spec.bytes;
	loom_time_ns rto = f->spec.rto_ns ? f->spec.rto_ns : LOOM_GEN_RTO_NS;

	t->mss = mss;
	t->n_pkts = b ? b / mss + (b % mss != 0) : 0;
	t->scripted_lost = t->acks = t->naks = 0;
	if (f->spec.recovery == LOOM_FLOW_RECOVERY_GO_BACK_N)
		loom_gbn_tx_init(&t->gbn, t->n_pkts, rto);
	else
		loom_sr_tx_init(&t->sr, t->n_pkts, rto);
}

void loom_gen_tp_init_rx(struct loom_gen_rx_flow *r, uint8_t trim_dscp)
{
	r->tp.trim_dscp = trim_dscp;
	r->tp.trimmed = r->tp.naks = 0;
	loom_ack_init(&r->tp.ack);
	r->evs_held.n = r->evs_held.ce = 0;
	if (r->recovery == LOOM_FLOW_RECOVERY_GO_BACK_N)
		loom_gbn_rx_init(&r->tp.gbn);
	else
		loom_sr_rx_init(&r->tp.sr);
}

static inline bool gbn(const struct loom_gen_tx_flow *f)
{
	return f->spec.recovery == LOOM_FLOW_RECOVERY_GO_BACK_N;
}

bool loom_gen_tp_done(const struct loom_gen_tx_flow *f)
{
	return gbn(f) ? loom_gbn_tx_done(&f->tp.gbn) : loom_sr_tx_done(&f->tp.sr);
}

bool loom_gen_tp_has_data(const struct loom_gen_tx_flow *f)
{
	return gbn(f) ? loom_gbn_tx_has_data(&f->tp.gbn) : loom_sr_tx_has_data(&f->tp.sr);
}

static loom_time_ns timer_at(const struct loom_gen_tx_flow *f)
{
	return gbn(f) ? f->tp.gbn.rto_at : f->tp.sr.rto_at;
}

void loom_gen_tp_run_timer(struct loom_gen_tx_flow *f, loom_time_ns now)
{
	if (gbn(f))
		loom_gbn_tx_on_timer(&f->tp.gbn, now);
	else
		loom_sr_tx_on_timer(&f->tp.sr, now);
}

loom_time_ns loom_gen_tp_wait(const struct loom_gen_tx_flow *f)
{
	return loom_gen_tp_done(f) ? LOOM_TIME_NEVER : timer_at(f);
}

uint64_t loom_gen_tp_inflight_bytes(const struct loom_gen_tx_flow *f)
{
	const struct loom_gen_tp_tx *t = &f->tp;
	uint64_t pkts = gbn(f) ? t->gbn.nxt - t->gbn.una : loom_sr_tx_outstanding(&t->sr);

	return pkts * t->mss;
}

bool loom_gen_tp_next(struct loom_gen_tx_flow *f, loom_time_ns start, uint64_t *psn, uint32_t *payload, bool *lost,
		      loom_time_ns *wait, bool *retx_out)
{
	struct loom_gen_tp_tx *t = &f->tp;
	bool retx;

	loom_gen_tp_run_timer(f, start);
	if (!loom_gen_tp_has_data(f)) {
		*wait = loom_gen_tp_wait(f);
		return false;
	}
	*psn = gbn(f) ? loom_gbn_tx_send(&t->gbn, start, &retx) : loom_sr_tx_send(&t->sr, start, &retx);
	*payload = t->mss;
	if (t->n_pkts && *psn + 1 == t->n_pkts) /* the last packet: the rest of the bytes */
		*payload = (uint32_t)(f->spec.bytes - (t->n_pkts - 1) * (uint64_t)t->mss);
	if (*payload < sizeof(struct loom_gen_payload))
		*payload = sizeof(struct loom_gen_payload);
	*lost = !retx && f->spec.lose_count && *psn >= f->spec.lose_first &&
		*psn - f->spec.lose_first < f->spec.lose_count;
	t->scripted_lost += *lost;
	*retx_out = retx;
	return true;
}

void loom_gen_tp_after_send(struct loom_gen_tx_flow *f)
{
	const struct loom_gen_tp_tx *t = &f->tp;
	uint64_t high = gbn(f) ? t->gbn.high : t->sr.nxt;
	uint64_t b = high * (uint64_t)t->mss;

	f->sent_payload = f->spec.bytes && b > f->spec.bytes ? f->spec.bytes : b;
}

static void queue_fb(struct loom_gen_host *h, uint32_t rx_slot, uint8_t kind, bool ece, uint64_t epsn,
		     uint64_t psn, uint64_t base, uint64_t sack)
{
	struct loom_gen_feedback fb = {
		.rx_slot = rx_slot,
		.kind = kind,
		.ece = ece,
		.ack_seq = epsn,
		.ext = {.psn = psn, .sack_base = base, .sack = sack},
		.ts_echo = h->rx[rx_slot].ts_echo,
		.ev = h->rx[rx_slot].ev_echo,
	};

	loom_gen_feedback_enqueue(h, &fb);
}

/* The cumulative point and the selective ACK of the block holding psn. */
static uint64_t rx_state(const struct loom_gen_rx_flow *r, uint64_t psn, uint64_t *base, uint64_t *sack)
{
	*base = *sack = 0;
	if (r->recovery == LOOM_FLOW_RECOVERY_GO_BACK_N)
		return r->tp.gbn.epsn;
	loom_sr_rx_sack(&r->tp.sr, psn, base, sack);
	return r->tp.sr.epsn;
}

/* A coalescing receiver's ACK of what it held, at `now` (psn: the packet
 * whose selective-ACK block it carries). The send time echoed is the
 * newest packet's plus the time the ACK was held (the RTT leaves it out). */
static void send_held(struct loom_gen_host *h, uint32_t rx_slot, uint64_t psn, loom_time_ns now)
{
	struct loom_gen_rx_flow *r = &h->rx[rx_slot];
	struct loom_gen_feedback fb = {.rx_slot = rx_slot, .kind = LOOM_GEN_FB_TP_ACK, .counted = true,
				       .ev = r->ev_echo}; /* REPS: the newest packet's */
	uint32_t pkts, ce;
	uint64_t base, sack;

	loom_ack_take(&r->tp.ack, &pkts, &ce);
	fb.ack_seq = rx_state(r, psn, &base, &sack);
	fb.ext.sack_base = base;
	fb.ext.sack = sack;
	fb.ece = ce != 0;
	fb.ack_pkts = pkts;
	fb.ack_ce = ce;
	fb.ts_echo = r->ts_echo + (now > r->last_rx ? now - r->last_rx : 0);
	fb.evs = r->evs_held;
	r->evs_held.n = r->evs_held.ce = 0;
	r->acks++;
	loom_gen_feedback_enqueue(h, &fb);
}

/* The PSN whose block a held ACK reports: the held block's, else the
 * cumulative point's (whose block's bits above it are live). */
static uint64_t held_psn(const struct loom_gen_rx_flow *r)
{
	uint64_t base, sack;

	return r->tp.ack.block != LOOM_ACK_NO_BLOCK ? r->tp.ack.block : rx_state(r, 0, &base, &sack);
}

/* The receiver of a coalescing flow (loom/transport/ack_coalesce.h). */
static uint32_t on_data_coalescing(struct loom_gen_host *h, uint32_t rx_slot, uint64_t psn, bool ce, bool ack_req,
				   enum loom_transport_rx_verdict v, loom_time_ns now)
{
	struct loom_gen_rx_flow *r = &h->rx[rx_slot];
	struct loom_ack_coalesce *a = &r->tp.ack;
	enum loom_ack_pkt pkt = v == LOOM_TRX_ACCEPT	  ? LOOM_ACK_PKT_NEW
				: v == LOOM_TRX_DUPLICATE ? LOOM_ACK_PKT_DUPLICATE
				: v == LOOM_TRX_NAK	  ? LOOM_ACK_PKT_NAK
							  : LOOM_ACK_PKT_DISCARD;
	uint64_t block = LOOM_ACK_NO_BLOCK, epsn, base, sack;
	uint32_t sent = 0;

	epsn = rx_state(r, psn, &base, &sack);
	if (r->recovery == LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT && psn >= epsn)
		block = base; /* held above the cumulative point: its selective bits matter */
	if (loom_ack_flush_first(a, pkt, block)) {
		/* the held packets' block (the last one held is in it) */
		send_held(h, rx_slot, held_psn(r), now);
		sent = 1;
	}
	if (r->entropy == LOOM_FLOW_ENTROPY_REPS && (pkt == LOOM_ACK_PKT_NEW || pkt == LOOM_ACK_PKT_DUPLICATE))
		loom_gen_ev_echo_add(&r->evs_held, r->ev_echo, ce); /* REPS: this packet's port, in the next ACK */
	switch (loom_ack_on_data(a, &r->tp.ack_cfg, pkt, ce, ack_req, block, now)) {
	case LOOM_ACK_SEND:
		send_held(h, rx_slot, psn, now);
		return 1;
	case LOOM_ACK_SEND_NAK: {
		struct loom_gen_feedback fb = {
			.rx_slot = rx_slot, .kind = LOOM_GEN_FB_TP_NAK, .ece = ce, .ack_seq = epsn,
			.ext = {.psn = psn}, .ts_echo = r->ts_echo, .counted = true, .ev = r->ev_echo,
		};

		r->tp.naks++;
		loom_gen_feedback_enqueue(h, &fb);
		return 1;
	}
	default:
		if (a->due < h->ack_due)
			h->ack_due = a->due; /* the host's timer (loom_gen_tp_ack_timers) */
		return sent || a->due != LOOM_TIME_NEVER;
	}
}

bool loom_gen_tp_is_trimmed(const struct loom_gen_rx_flow *r, uint8_t tos)
{
	return r->recovery && r->tp.trim_dscp != LOOM_GEN_NO_TRIM_DSCP && DSCP_OF(tos) == r->tp.trim_dscp;
}

uint32_t loom_gen_tp_on_data(struct loom_gen_host *h, uint32_t rx_slot, uint64_t psn, uint8_t tos, bool ce,
			     bool ack_req, loom_time_ns now, bool *accept)
{
	struct loom_gen_rx_flow *r = &h->rx[rx_slot];
	bool trimmed = loom_gen_tp_is_trimmed(r, tos);
	enum loom_transport_rx_verdict v;
	uint64_t epsn, base = 0, sack = 0;

	r->tp.trimmed += trimmed;
	if (r->recovery == LOOM_FLOW_RECOVERY_GO_BACK_N) {
		v = loom_gbn_rx_on_data(&r->tp.gbn, psn, trimmed);
		epsn = r->tp.gbn.epsn;
	} else {
		v = loom_sr_rx_on_data(&r->tp.sr, psn, trimmed);
		epsn = r->tp.sr.epsn;
		loom_sr_rx_sack(&r->tp.sr, psn, &base, &sack);
	}
	*accept = v == LOOM_TRX_ACCEPT;
	if (r->tp.ack_cfg.every > 1)
		return on_data_coalescing(h, rx_slot, psn, ce, ack_req, v, now);
	switch (v) {
	case LOOM_TRX_ACCEPT:
	case LOOM_TRX_DUPLICATE:
		r->acks++;
		queue_fb(h, rx_slot, LOOM_GEN_FB_TP_ACK, ce, epsn, 0, base, sack);
		return 1;
	case LOOM_TRX_NAK:
		r->tp.naks++;
		queue_fb(h, rx_slot, LOOM_GEN_FB_TP_NAK, ce, epsn, psn, 0, 0);
		return 1;
	default:
		return 0;
	}
}

uint32_t loom_gen_tp_ack_flush(struct loom_gen_host *h, uint32_t rx_slot, loom_time_ns now)
{
	struct loom_gen_rx_flow *r = &h->rx[rx_slot];

	if (!r->recovery || r->tp.ack_cfg.every <= 1 || !loom_ack_held(&r->tp.ack))
		return 0;
	send_held(h, rx_slot, held_psn(r), now);
	return 1;
}

void loom_gen_tp_ack_timers(struct loom_gen_host *h, loom_time_ns now)
{
	loom_time_ns next = LOOM_TIME_NEVER;

	for (uint32_t i = 0; i < h->n_rx; i++) {
		struct loom_gen_rx_flow *r = &h->rx[i];

		if (!r->recovery || r->tp.ack_cfg.every <= 1)
			continue;
		if (loom_ack_timer(&r->tp.ack, now))
			send_held(h, i, held_psn(r), now);
		if (r->tp.ack.due < next)
			next = r->tp.ack.due;
	}
	h->ack_due = next;
}

uint32_t loom_gen_tp_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb,
				 const struct loom_gen_feedback_ext *ext, loom_time_ns ts_echo,
				 const struct loom_gen_ack_counts *counts, loom_time_ns now)
{
	struct loom_gen_tp_tx *t = &f->tp;
	uint64_t epsn = rte_be_to_cpu_64(fb->ack_seq);
	/* packets this ACK acknowledged, cumulatively or selectively (NSCC's increase) */
	uint64_t before = gbn(f) ? t->gbn.una : loom_sr_tx_outstanding(&t->sr), newly = 0;
	loom_time_ns ready;

	if (fb->kind == LOOM_GEN_FB_TP_ACK) {
		t->acks++;
		if (gbn(f))
			loom_gbn_tx_on_ack(&t->gbn, epsn, now);
		else
			loom_sr_tx_on_ack(&t->sr, epsn, rte_be_to_cpu_64(ext->sack_base), rte_be_to_cpu_64(ext->sack), now);
		if (gbn(f))
			newly = t->gbn.una > before ? t->gbn.una - before : 0;
		else
			newly = before > loom_sr_tx_outstanding(&t->sr) ? before - loom_sr_tx_outstanding(&t->sr) : 0;
	} else {
		t->naks++;
		if (gbn(f))
			loom_gbn_tx_on_nak(&t->gbn, epsn, now);
		else
			loom_sr_tx_on_nack(&t->sr, rte_be_to_cpu_64(ext->psn));
	}
	/* the congestion controller reads the same ACK */
	loom_gen_cc_on_transport_ack(f, epsn, fb->ece != 0, fb->kind == LOOM_GEN_FB_TP_NAK, newly, ts_echo, counts, now);
	if (loom_gen_tp_done(f)) {
		f->due = LOOM_TIME_NEVER;
		return 0;
	}
	if (f->chained && f->spec.start == LOOM_WL_START_CHAINED)
		return 0; /* not released yet (cannot have sent: a stale packet) */
	if (!loom_gen_tp_has_data(f)) {
		/* nothing to send: wait for the (maybe restarted) timer */
		f->due = timer_at(f);
		return 1;
	}
	/* paced from its last packet (transmit checks the CC's window) */
	ready = f->packets ? f->last_tx + loom_gen_cc_gap(f) : now;
	f->due = ready > now ? ready : now;
	return 1;
}

const struct loom_transport_tx_stats *loom_gen_tp_stats(const struct loom_gen_tx_flow *f)
{
	return gbn(f) ? &f->tp.gbn.st : &f->tp.sr.st;
}
