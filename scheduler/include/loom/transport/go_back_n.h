/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RoCEv2-style go-back-N loss recovery (IBTA RC semantics, as ns-3's RDMA
 * stack and NICs without selective repeat do it), over packet sequence
 * numbers (PSNs 0 .. n-1 of a message; 64-bit here, no 24-bit wrap).
 *
 * Receiver: takes only the expected PSN (ePSN). A packet above it is a
 * sequence gap: the first one sends a NAK carrying ePSN and the rest of
 * the gap are discarded silently until ePSN arrives (one NAK per gap); a
 * packet below it is a duplicate and is answered with an ACK of ePSN.
 * A trimmed packet (its payload cut by a switch) is a gap at its PSN.
 *
 * Sender: una (oldest PSN not acknowledged), nxt (next to send), high
 * (highest sent + 1). An ACK of e moves una to e; a NAK of e does that
 * and sends again from e (nxt <- e); every packet sent below high is a
 * retransmission. A retransmission timer runs while packets are
 * outstanding, restarted when una moves: when it fires, the sender goes
 * back to una (a timeout). Time is passed in, nothing reads a clock.
 */
#ifndef LOOM_GO_BACK_N_H
#define LOOM_GO_BACK_N_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

struct loom_transport_tx_stats {
	uint64_t retransmits; /* packets sent again */
	uint64_t timeouts;    /* retransmission timer expiries */
	uint64_t naks;        /* NAKs (go-back-N) or NACKs (selective repeat) acted on */
};

struct loom_gbn_tx {
	uint64_t n_pkts;        /* the message's packets; 0: an endless stream */
	uint64_t una, nxt, high;
	loom_time_ns rto_ns;
	loom_time_ns rto_at;    /* LOOM_TIME_NEVER: nothing outstanding */
	struct loom_transport_tx_stats st;
};

void loom_gbn_tx_init(struct loom_gbn_tx *tx, uint64_t n_pkts, loom_time_ns rto_ns);
/* Whether a packet may be sent (one not sent, or one to send again). */
static inline bool loom_gbn_tx_has_data(const struct loom_gbn_tx *tx)
{
	return tx->n_pkts == 0 || tx->nxt < tx->n_pkts;
}
/* Every packet acknowledged. */
static inline bool loom_gbn_tx_done(const struct loom_gbn_tx *tx)
{
	return tx->n_pkts != 0 && tx->una >= tx->n_pkts;
}
/* The PSN to send now (call only when has_data); *retx: it was sent before. */
uint64_t loom_gbn_tx_send(struct loom_gbn_tx *tx, loom_time_ns now, bool *retx);
/* Cumulative ACK: every PSN below `epsn` arrived. */
void loom_gbn_tx_on_ack(struct loom_gbn_tx *tx, uint64_t epsn, loom_time_ns now);
/* NAK: every PSN below `epsn` arrived, `epsn` did not: send again from it. */
void loom_gbn_tx_on_nak(struct loom_gbn_tx *tx, uint64_t epsn, loom_time_ns now);
/* The timer at `now`: true when it fired (the sender went back to una). */
bool loom_gbn_tx_on_timer(struct loom_gbn_tx *tx, loom_time_ns now);

/* What the receiver does with a packet. */
enum loom_transport_rx_verdict {
	LOOM_TRX_ACCEPT = 0, /* new data: take it, acknowledge */
	LOOM_TRX_DUPLICATE,  /* had it: drop it, acknowledge again */
	LOOM_TRX_NAK,        /* drop it, send a NAK (go-back-N: of ePSN; selective repeat: of its PSN) */
	LOOM_TRX_DISCARD,    /* drop it silently */
};

struct loom_gbn_rx {
	uint64_t epsn;
	bool nak_sent;          /* a NAK of epsn went out: the gap's other packets are discarded */
	uint64_t naks, discarded, duplicates;
};

void loom_gbn_rx_init(struct loom_gbn_rx *rx);
enum loom_transport_rx_verdict loom_gbn_rx_on_data(struct loom_gbn_rx *rx, uint64_t psn, bool trimmed);

#endif
