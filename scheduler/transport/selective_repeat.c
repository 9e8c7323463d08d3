/* SPDX-License-Identifier: BSD-3-Clause */
/* Selective repeat with NACKs (see loom/transport/selective_repeat.h). */
#include <string.h>

#include "loom/transport/selective_repeat.h"

static inline uint64_t bit(uint64_t psn) { return 1ull << (psn % 64u); }
static inline uint32_t word(uint64_t psn) { return (uint32_t)((psn % LOOM_SR_WINDOW) / 64u); }
static inline bool test(const uint64_t *m, uint64_t psn) { return (m[word(psn)] & bit(psn)) != 0; }

void loom_sr_tx_init(struct loom_sr_tx *tx, uint64_t n_pkts, loom_time_ns rto_ns)
{
	memset(tx, 0, sizeof(*tx));
	tx->n_pkts = n_pkts;
	tx->rto_ns = rto_ns;
	tx->rto_at = LOOM_TIME_NEVER;
}

static bool new_allowed(const struct loom_sr_tx *tx)
{
	return (tx->n_pkts == 0 || tx->nxt < tx->n_pkts) && tx->nxt < tx->una + LOOM_SR_WINDOW;
}

bool loom_sr_tx_has_data(const struct loom_sr_tx *tx)
{
	return tx->n_resend || new_allowed(tx);
}

static void arm(struct loom_sr_tx *tx, loom_time_ns now)
{
	tx->rto_at = tx->una < tx->nxt ? now + tx->rto_ns : LOOM_TIME_NEVER;
}

uint64_t loom_sr_tx_send(struct loom_sr_tx *tx, loom_time_ns now, bool *retx)
{
	uint64_t psn;

	*retx = tx->n_resend != 0;
	if (*retx) {
		/* the lowest marked PSN of the window (at most WINDOW / 64 words) */
		for (psn = tx->una; !test(tx->resend, psn); psn++)
			if (psn % 64u == 63u && !tx->resend[word(psn + 1)])
				psn += 64; /* the next word is empty: skip it (the loop adds 1) */
		tx->resend[word(psn)] &= ~bit(psn);
		tx->n_resend--;
		tx->st.retransmits++;
	} else {
		psn = tx->nxt++;
	}
	if (tx->rto_at == LOOM_TIME_NEVER)
		arm(tx, now);
	return psn;
}

static void mark_acked(struct loom_sr_tx *tx, uint64_t psn)
{
	if (test(tx->resend, psn)) {
		tx->resend[word(psn)] &= ~bit(psn);
		tx->n_resend--;
	}
	if (!test(tx->acked, psn)) {
		tx->acked[word(psn)] |= bit(psn);
		tx->n_acked++;
	}
}

void loom_sr_tx_on_ack(struct loom_sr_tx *tx, uint64_t epsn, uint64_t sack_base, uint64_t sack, loom_time_ns now)
{
	uint64_t old = tx->una;

	if (epsn > tx->nxt)
		return; /* acknowledges what was never sent */
	for (uint64_t p = sack_base; sack && p < sack_base + 64; p++, sack >>= 1)
		if ((sack & 1) && p >= tx->una && p < tx->nxt)
			mark_acked(tx, p);
	/* the cumulative point: every PSN below epsn, then whatever the
	 * bitmap holds contiguously above it */
	while (tx->una < tx->nxt && (tx->una < epsn || test(tx->acked, tx->una))) {
		if (test(tx->resend, tx->una)) {
			tx->resend[word(tx->una)] &= ~bit(tx->una);
			tx->n_resend--;
		}
		if (test(tx->acked, tx->una)) {
			tx->acked[word(tx->una)] &= ~bit(tx->una);
			tx->n_acked--;
		}
		tx->una++;
	}
	if (tx->una != old)
		arm(tx, now);
}

void loom_sr_tx_on_nack(struct loom_sr_tx *tx, uint64_t psn)
{
	if (psn < tx->una || psn >= tx->nxt || test(tx->acked, psn) || test(tx->resend, psn))
		return;
	tx->resend[word(psn)] |= bit(psn);
	tx->n_resend++;
	tx->st.naks++;
}

bool loom_sr_tx_on_timer(struct loom_sr_tx *tx, loom_time_ns now)
{
	if (tx->rto_at == LOOM_TIME_NEVER || now < tx->rto_at)
		return false;
	tx->st.timeouts++;
	for (uint64_t p = tx->una; p < tx->nxt; p++)
		if (!test(tx->acked, p) && !test(tx->resend, p)) {
			tx->resend[word(p)] |= bit(p);
			tx->n_resend++;
		}
	tx->rto_at = tx->una < tx->nxt ? now + tx->rto_ns : LOOM_TIME_NEVER;
	return true;
}

void loom_sr_rx_init(struct loom_sr_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

enum loom_transport_rx_verdict loom_sr_rx_on_data(struct loom_sr_rx *rx, uint64_t psn, bool trimmed)
{
	if (psn < rx->epsn || (psn < rx->epsn + LOOM_SR_WINDOW && test(rx->have, psn))) {
		rx->duplicates++;
		return LOOM_TRX_DUPLICATE;
	}
	if (psn >= rx->epsn + LOOM_SR_WINDOW) {
		rx->discarded++;
		return LOOM_TRX_DISCARD;
	}
	if (trimmed) {
		rx->nacks++;
		return LOOM_TRX_NAK;
	}
	rx->have[word(psn)] |= bit(psn);
	while (test(rx->have, rx->epsn)) {
		rx->have[word(rx->epsn)] &= ~bit(rx->epsn);
		rx->epsn++;
	}
	return LOOM_TRX_ACCEPT;
}

void loom_sr_rx_sack(const struct loom_sr_rx *rx, uint64_t psn, uint64_t *base, uint64_t *bits)
{
	*base = psn - psn % 64u;
	/* bits below epsn were cleared as it passed them (they are covered
	 * by the cumulative ACK); the word holds only this block above it,
	 * as long as the block is inside the window */
	*bits = psn < rx->epsn + LOOM_SR_WINDOW ? rx->have[word(psn)] : 0;
}
