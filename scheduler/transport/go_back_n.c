/* SPDX-License-Identifier: BSD-3-Clause */
/* RoCEv2-style go-back-N (see loom/transport/go_back_n.h). */
#include "loom/transport/go_back_n.h"

void loom_gbn_tx_init(struct loom_gbn_tx *tx, uint64_t n_pkts, loom_time_ns rto_ns)
{
	*tx = (struct loom_gbn_tx){.n_pkts = n_pkts, .rto_ns = rto_ns, .rto_at = LOOM_TIME_NEVER};
}

static void arm(struct loom_gbn_tx *tx, loom_time_ns now)
{
	tx->rto_at = tx->una < tx->high ? now + tx->rto_ns : LOOM_TIME_NEVER;
}

uint64_t loom_gbn_tx_send(struct loom_gbn_tx *tx, loom_time_ns now, bool *retx)
{
	uint64_t psn = tx->nxt++;

	*retx = psn < tx->high;
	if (*retx)
		tx->st.retransmits++;
	else
		tx->high = psn + 1;
	if (tx->rto_at == LOOM_TIME_NEVER)
		arm(tx, now);
	return psn;
}

void loom_gbn_tx_on_ack(struct loom_gbn_tx *tx, uint64_t epsn, loom_time_ns now)
{
	if (epsn <= tx->una || epsn > tx->high)
		return; /* old, or acknowledges what was never sent */
	tx->una = epsn;
	if (tx->nxt < tx->una)
		tx->nxt = tx->una;
	arm(tx, now);
}

void loom_gbn_tx_on_nak(struct loom_gbn_tx *tx, uint64_t epsn, loom_time_ns now)
{
	if (epsn < tx->una || epsn >= tx->high)
		return; /* stale: already acknowledged past it */
	tx->st.naks++;
	tx->una = epsn;
	tx->nxt = epsn;
	arm(tx, now);
}

bool loom_gbn_tx_on_timer(struct loom_gbn_tx *tx, loom_time_ns now)
{
	if (tx->rto_at == LOOM_TIME_NEVER || now < tx->rto_at)
		return false;
	tx->st.timeouts++;
	tx->nxt = tx->una;
	arm(tx, now);
	return true;
}

void loom_gbn_rx_init(struct loom_gbn_rx *rx)
{
	*rx = (struct loom_gbn_rx){0};
}

enum loom_transport_rx_verdict loom_gbn_rx_on_data(struct loom_gbn_rx *rx, uint64_t psn, bool trimmed)
{
	if (psn < rx->epsn) {
		rx->duplicates++;
		return LOOM_TRX_DUPLICATE;
	}
	if (psn == rx->epsn && !trimmed) {
		rx->epsn++;
		rx->nak_sent = false;
		return LOOM_TRX_ACCEPT;
	}
	/* a gap at epsn (or epsn itself came without its payload: that one
	 * is always NAK'd, its retransmission may have been trimmed again) */
	if (rx->nak_sent && !(trimmed && psn == rx->epsn)) {
		rx->discarded++;
		return LOOM_TRX_DISCARD;
	}
	rx->nak_sent = true;
	rx->naks++;
	return LOOM_TRX_NAK;
}
