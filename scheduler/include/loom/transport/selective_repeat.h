/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Selective repeat with NACKs for trimmed packets (NDP, Handley et al.,
 * SIGCOMM 2017; UEC's transport): PSNs 0 .. n-1, at most
 * LOOM_SR_WINDOW packets beyond the oldest unacknowledged one in flight.
 *
 * Receiver: a bitmap of the PSNs it holds above its cumulative point
 * (ePSN, every PSN below it arrived). Every new packet is taken, in any
 * order, and acknowledged with ePSN and a selective ACK: the 64 bits of
 * the bitmap of the 64-aligned block holding its PSN. A trimmed packet
 * (a switch cut its payload) is answered with a NACK of its PSN; a
 * duplicate with an ACK.
 *
 * Sender: the same window as a bitmap of acknowledged PSNs and one of
 * PSNs to send again (NACK'd, or outstanding when the retransmission
 * timer fires). It sends the lowest PSN to send again first, then new
 * ones while the window allows. The timer runs while packets are
 * outstanding and restarts when the cumulative point moves; on expiry
 * every outstanding PSN not acknowledged is sent again (a timeout).
 */
#ifndef LOOM_SELECTIVE_REPEAT_H
#define LOOM_SELECTIVE_REPEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"
#include "loom/transport/go_back_n.h"

#define LOOM_SR_WINDOW 1024u /* packets; a multiple of 64 */
#define LOOM_SR_WORDS (LOOM_SR_WINDOW / 64u)

struct loom_sr_tx {
	uint64_t n_pkts;        /* 0: an endless stream */
	uint64_t una, nxt;      /* oldest not acknowledged; next new PSN */
	uint64_t acked[LOOM_SR_WORDS];  /* bit psn % WINDOW, for psn in [una, una + WINDOW) */
	uint64_t resend[LOOM_SR_WORDS];
	uint32_t n_resend;
	uint32_t n_acked;       /* bits set in acked: arrived above the cumulative point */
	loom_time_ns rto_ns, rto_at;
	uint64_t window_full;   /* sends put off: WINDOW packets outstanding */
	struct loom_transport_tx_stats st;
};

void loom_sr_tx_init(struct loom_sr_tx *tx, uint64_t n_pkts, loom_time_ns rto_ns);
/* A PSN may be sent now (one to send again, or a new one in the window). */
bool loom_sr_tx_has_data(const struct loom_sr_tx *tx);
static inline bool loom_sr_tx_done(const struct loom_sr_tx *tx)
{
	return tx->n_pkts != 0 && tx->una >= tx->n_pkts;
}
/* Packets in the network: sent, neither acknowledged (cumulatively or
 * selectively) nor waiting to be sent again. What a congestion window
 * bounds: counting selectively acknowledged packets would keep a window
 * full behind one hole for good. */
static inline uint64_t loom_sr_tx_outstanding(const struct loom_sr_tx *tx)
{
	return tx->nxt - tx->una - tx->n_resend - tx->n_acked;
}
/* The PSN to send now (call only when has_data); *retx: sent before. */
uint64_t loom_sr_tx_send(struct loom_sr_tx *tx, loom_time_ns now, bool *retx);
/* ACK: every PSN below epsn arrived, and of the 64 from sack_base
 * (a multiple of 64) those whose bit is set in sack. */
void loom_sr_tx_on_ack(struct loom_sr_tx *tx, uint64_t epsn, uint64_t sack_base, uint64_t sack, loom_time_ns now);
/* NACK: psn arrived trimmed; send it again. */
void loom_sr_tx_on_nack(struct loom_sr_tx *tx, uint64_t psn);
/* The timer at `now`: true when it fired. */
bool loom_sr_tx_on_timer(struct loom_sr_tx *tx, loom_time_ns now);

struct loom_sr_rx {
	uint64_t epsn;
	uint64_t have[LOOM_SR_WORDS]; /* bit psn % WINDOW, psn in (epsn, epsn + WINDOW) */
	uint64_t nacks, duplicates, discarded;
};

void loom_sr_rx_init(struct loom_sr_rx *rx);
/* ACCEPT, DUPLICATE, NAK (trimmed: NACK its PSN) or DISCARD (beyond the window). */
enum loom_transport_rx_verdict loom_sr_rx_on_data(struct loom_sr_rx *rx, uint64_t psn, bool trimmed);
/* The selective ACK of the block holding psn: its base and bits. */
void loom_sr_rx_sack(const struct loom_sr_rx *rx, uint64_t psn, uint64_t *base, uint64_t *bits);

#endif
