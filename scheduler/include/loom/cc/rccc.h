/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiver credits after UEC's RCCC (receiver-credit congestion control,
 * Ultra Ethernet Transport 1.0; htsim's uec/ pull pacer): the receiver, not
 * the network, decides who may use its downlink.
 *
 *  - The sender starts with a speculative credit (`spec` bytes: one first
 *    window) and spends a packet's frame bytes on every packet it sends,
 *    retransmissions included; it may send while its credit is above zero
 *    (the last packet may take it below). With a sender-side window too
 *    (NSCC), it sends within both: window = min(cwnd, credit).
 *  - Every data packet carries the sender's request: the cumulative credit
 *    it wants granted, granted-so-far + (what it still wants to send, at
 *    most `cap` bytes ahead: its window and a packet) - its credit in hand.
 *    Cumulative numbers, so a lost or trimmed request is replaced by the
 *    next one and nothing is counted twice.
 *  - The receiver's pacer grants its downlink's rate: one quantum (a few
 *    frames) at a time, round robin among its flows whose request is above
 *    what it granted them (at most the difference), the next grant after
 *    the granted bytes' serialization time at the link rate. Each flow so
 *    gets an equal share of the downlink, whatever its RTT: a 32:1 incast
 *    is fair by construction, not by the senders' windows converging.
 *    Grants are cumulative too (the feedback carries granted-so-far).
 *  - Speculative credit is spent, never dropped (htsim drops what is left
 *    at the first ACK; a sender whose speculation outlasted its first round
 *    trip had then asked for nothing and waited for a timeout). Packets
 *    sent on it are unsolicited: the receiver's pacer counts them when they
 *    arrive (loom_rccc_pacer_unsolicited).
 *
 * Credits travel in the receiver's feedback (dataplane/hosts/gen_credit.h):
 * an ACK of a credit flow carries the grant (8 bytes), and a grant with no
 * ACK of its flow on the way goes in a credit frame of its own; both cross
 * the fabric and are counted as any feedback.
 *
 * Not modelled: UEC's slow pull for idle flows, the receiver's
 * oversubscription control, credit for control packets. Time is passed
 * in, nothing reads a clock.
 */
#ifndef LOOM_RCCC_H
#define LOOM_RCCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loom/clock.h"

/* The sender's side of one flow. */
struct loom_rccc_tx {
	int64_t credit;        /* bytes it may still send (> 0: it may send one more packet) */
	uint64_t granted_seen; /* the receiver's cumulative grant, as last heard */
	uint64_t spec;         /* the speculative window */
	uint64_t spec_left;    /* of it, not spent yet */
	uint64_t spent;        /* frame bytes sent (speculation included) */
	uint64_t blocked;      /* sends put off for want of credit */
};

void loom_rccc_tx_init(struct loom_rccc_tx *t, uint64_t spec_bytes);
static inline bool loom_rccc_tx_may_send(const struct loom_rccc_tx *t)
{
	return t->credit > 0;
}
/* A packet of `frame` bytes left; true when no grant covered it (it went on
 * the speculative window, or without credit: a timeout's). */
bool loom_rccc_tx_spend(struct loom_rccc_tx *t, uint32_t frame);
/* The receiver's feedback (a grant, or an ACK carrying one) saying it has
 * granted `granted` bytes in all: adds what is new. Returns the bytes of
 * credit it added. */
uint64_t loom_rccc_tx_on_grant(struct loom_rccc_tx *t, uint64_t granted);
/* The request a packet carries: the cumulative grant the sender wants,
 * for `backlog` bytes still to send (frames, retransmissions included)
 * and at most `cap` bytes of credit in hand. */
uint64_t loom_rccc_tx_request(const struct loom_rccc_tx *t, uint64_t backlog, uint64_t cap);

/* The receiver's side of one flow. */
struct loom_rccc_rx {
	uint64_t request; /* the highest cumulative request heard */
	uint64_t granted; /* granted so far (cumulative) */
	uint64_t grants;  /* grants made (quanta or parts of one) */
};

static inline void loom_rccc_rx_init(struct loom_rccc_rx *r)
{
	r->request = r->granted = r->grants = 0;
}
static inline bool loom_rccc_rx_wants(const struct loom_rccc_rx *r)
{
	return r->request > r->granted;
}

/* The receiver's pacer: its downlink shared among its credit flows. */
struct loom_rccc_pacer {
	uint64_t rate_bps;    /* the downlink's rate */
	uint32_t quantum;     /* bytes per grant at most */
	loom_time_ns next_at; /* the next grant may go at or after it */
	uint32_t rr;          /* where the round robin looks first: after the last flow granted */
	uint32_t wanting;     /* flows whose request is above their grant */
	uint32_t flows;       /* flows that ever asked (a flow's first request counts it) */
	loom_time_ns first_at; /* when the first flow first asked */
	loom_time_ns epoch;   /* the busy period's start, and the bytes granted since: */
	uint64_t epoch_bytes; /* next_at = epoch + their serialization (no rounding adds up) */
	loom_time_ns lead;    /* a grant's data arrives about this long after it (the credit loop) */
	uint64_t grants, granted_bytes;
	uint64_t unsolicited_bytes; /* arrived without a grant (speculation) */
};

void loom_rccc_pacer_init(struct loom_rccc_pacer *p, uint64_t rate_bps, uint32_t quantum, loom_time_ns lead);
/* `bytes` arrived at `now` that the pacer did not grant (sent speculatively):
 * they take the link as granted bytes would, so the grants whose data
 * would arrive while they pass wait for them (the grant at `lead` before
 * that data's arrival). Bytes that arrive before the first grant of the
 * pacer's busy period can bring data (its start + lead) took free time:
 * they delay nothing (a lone sender's first window would otherwise hold
 * its first grants back by the window's time, an RTT of idle link).
 * Without it a speculative window larger than one round trip stays
 * queued for good: the pacer grants exactly what the link drains. */
void loom_rccc_pacer_unsolicited(struct loom_rccc_pacer *p, uint32_t bytes, loom_time_ns now);
/* A data packet of flow r brought `request` at `now` (cumulative: an older,
 * smaller one changes nothing). A pacer with no flow wanting until now
 * starts again at `now`: idle time is not banked. */
void loom_rccc_pacer_request(struct loom_rccc_pacer *p, struct loom_rccc_rx *r, uint64_t request, loom_time_ns now);
/* A lone flow's grants may go `lead` ahead of the pacer's time: while a
 * single flow ever asked the pacer, from `lead` after its first request on
 * (by then a flow that started with it, from any sender, would have asked:
 * before, a first flow's head start would last, the round robin giving
 * each the same after it). Its data cannot arrive sooner than `lead` after
 * a grant, so granting ahead only moves its grants up: a lone sender is
 * not kept waiting for credit by the pacer's pace (a grant riding a held
 * ACK, the pacer's catching up). The bytes are still charged: once a
 * second flow asks, the pacer waits until its time catches up. */
static inline bool loom_rccc_pacer_alone(const struct loom_rccc_pacer *p)
{
	return p->flows == 1 && p->wanting == 1;
}
/* When the next grant is due: LOOM_TIME_NEVER when no flow wants credit. */
static inline loom_time_ns loom_rccc_pacer_due(const struct loom_rccc_pacer *p)
{
	loom_time_ns t, from;

	if (!p->wanting)
		return LOOM_TIME_NEVER;
	if (!loom_rccc_pacer_alone(p))
		return p->next_at;
	t = p->next_at > p->lead ? p->next_at - p->lead : 0;
	from = p->first_at + p->lead;
	if (t < from)
		t = from;
	return t < p->next_at ? t : p->next_at;
}
/* Grant at `now` if due. The flows: n loom_rccc_rx, `stride` bytes apart
 * from rx0 (one inside each element of the caller's array of flows; a flow
 * without credit never requests, so never wants). The next wanting flow
 * from rr on (round robin) gets min(quantum, its request - its grant); the
 * next grant comes that many bytes' serialization time at the rate later.
 * Returns the flow's index, or -1 (none wants, or not due yet). Called late
 * (a real-time poll), it catches up at most one quantum's time back. */
int loom_rccc_pacer_grant(struct loom_rccc_pacer *p, struct loom_rccc_rx *rx0, size_t stride, uint32_t n,
			  loom_time_ns now);

#endif
