/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiver credits for generator hosts (UEC's RCCC; the algorithm:
 * scheduler/include/loom/cc/rccc.h): a flow with `cc: {type: nscc,
 * receiver_credit: true}` sends within min(NSCC's window, the credit its
 * receiver granted), after a speculative first window (NSCC's first).
 *
 * On the wire:
 *  - a data packet of a credit flow carries its request (the cumulative
 *    credit it wants, 8 bytes, network order) right after its
 *    loom_gen_payload, flagged LOOM_GEN_PL_CREDIT_REQ; it is within the
 *    bytes a trim keeps (LOOM_TM_TRIM_BYTES), so a trimmed packet asks too;
 *  - the receiver's ACKs and NACKs of a credit flow end with the
 *    cumulative grant (8 bytes, after everything else the tail holds), the
 *    grant as it is when the frame is built;
 *  - a grant made while no ACK of the flow is queued or held goes in a
 *    frame of its own, LOOM_GEN_FB_CREDIT: the feedback header alone, its
 *    ack_seq the cumulative grant.
 * Both are feedback, sent before data and counted as such.
 *
 * The receiver's pacer (one per host, at its link's rate, grants of four of
 * the largest credit flow's frames) runs from the host's transmit when its
 * next grant is due, as the delayed-ACK timers do. Packets sent without a
 * grant (the speculative window; LOOM_GEN_PL_CREDIT_UNSOL) take its link
 * too: the pacer counts them as granted, its lead the largest base RTT of
 * its credit flows (loom_rccc_pacer_unsolicited). A pacer that only one
 * flow ever asked grants up to its lead ahead of its pace (from a lead
 * after that first request on: loom_rccc_pacer_due), and a flow's first
 * grant does not wait for a held ACK: a lone sender (a permutation) is not
 * kept waiting for credit beyond its first round trip.
 */
#ifndef LOOM_GEN_CREDIT_H
#define LOOM_GEN_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "loom/cc/rccc.h"
#include "loom/clock.h"

struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_rx_flow;

#define LOOM_GEN_PL_CREDIT_REQ 0x2u /* loom_gen_payload.reserved: an 8-byte request follows it */
#define LOOM_GEN_PL_CREDIT_UNSOL 0x4u /* ... and the packet went without a grant (speculation, or a timeout) */
/* a data packet without a request (loom_gen_credit_on_data's `request`) */
#define LOOM_GEN_CREDIT_NO_REQ UINT64_MAX
#define LOOM_GEN_CREDIT_PULL_FRAMES 4u /* frames per grant (UEC's default pull: 4 MTUs) */

struct loom_gen_credit_tx {
	bool on;
	struct loom_rccc_tx st;
	loom_time_ns retry; /* blocked for credit with packets out: at their timeout one goes anyway */
};

struct loom_gen_credit_rx {
	struct loom_rccc_rx st; /* first: the pacer walks the rx table by it */
	bool on;
	uint16_t frame;        /* the flow's frame (the pacer's quantum) */
	loom_time_ns lead;     /* its base RTT: a grant's data comes back about this much later */
	uint64_t credit_frames; /* grants sent in frames of their own */
};

struct loom_gen_credit_host {
	struct loom_rccc_pacer pacer;
	bool on;           /* it receives a credit flow */
	loom_time_ns due;  /* the pacer's next grant (LOOM_TIME_NEVER: none wanted) */
};

/* At load, once the CC of tf (sender) and rx (its receiver's flow) is set
 * up (gen_config.c, after loom_gen_cc_init_tx and _rx): whether the flow
 * uses receiver credits (cc_params receiver_credit, NSCC only), and the
 * receiver's frame and lead for its pacer. */
void loom_gen_credit_config(struct loom_gen_tx_flow *tf, struct loom_gen_rx_flow *rx);
/* Before a run: the senders' speculative windows, the receivers' pacers. */
void loom_gen_credit_start(struct loom_gen_host *h);

/* Sender: may f send its next packet at `start`? (false: f->due set) */
bool loom_gen_credit_may_send(struct loom_gen_tx_flow *f, loom_time_ns start);
/* The request a packet of f carries, after it was counted as sent. */
uint64_t loom_gen_credit_request(const struct loom_gen_tx_flow *f);
/* f sends a packet of `frame` bytes; true when no grant covered it. */
bool loom_gen_credit_sent(struct loom_gen_tx_flow *f, uint32_t frame);
/* A grant (cumulative) heard at `now`; 1 when f may send sooner. */
uint32_t loom_gen_credit_on_grant(struct loom_gen_tx_flow *f, uint64_t granted, loom_time_ns now);

/* Receiver: a data packet of rx flow r, `wire` bytes as it arrived, with
 * its request (LOOM_GEN_CREDIT_NO_REQ: none), sent without a grant or not, trimmed (to be sent again) or
 * not; 1 when the pacer may grant sooner than the host said. */
uint32_t loom_gen_credit_on_data(struct loom_gen_host *h, struct loom_gen_rx_flow *r, uint64_t request, bool unsol,
				 bool trimmed, uint32_t wire, loom_time_ns now);
/* The grants due at `now` (queues the credit frames they need). */
void loom_gen_credit_run(struct loom_gen_host *h, loom_time_ns now);

/* A credit flow's figures for the results: frame bytes sent, sends put off
 * for want of credit, its speculative window, what the
 * receiver was asked and granted, its grants and the frames of their own
 * they took. */
json_t *loom_gen_credit_json(const struct loom_gen_tx_flow *f, const struct loom_gen_rx_flow *r);

#endif
