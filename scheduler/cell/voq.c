/* SPDX-License-Identifier: BSD-3-Clause */
/* Accounting of a virtual output queue (loom/cell/voq.h). */
#include "loom/cell/voq.h"

bool loom_voq_admit(struct loom_voq *q, uint32_t len)
{
	if (q->bytes + len > q->limit) {
		q->st.drop_pkts++;
		q->st.drop_bytes += len;
		return false;
	}
	q->bytes += len;
	q->pkts++;
	q->st.in_pkts++;
	q->st.in_bytes += len;
	if (q->bytes > q->st.depth_max)
		q->st.depth_max = q->bytes;
	return true;
}

uint64_t loom_voq_to_request(struct loom_voq *q)
{
	/* held bytes not covered by credit in hand or asked for */
	int64_t need = (int64_t)q->bytes - q->balance - (int64_t)q->outstanding;

	if (need <= 0)
		return 0;
	q->outstanding += (uint64_t)need;
	q->st.requested += (uint64_t)need;
	return (uint64_t)need;
}

void loom_voq_credit(struct loom_voq *q, uint32_t bytes)
{
	q->balance += bytes;
	q->outstanding = q->outstanding > bytes ? q->outstanding - bytes : 0;
	q->st.granted += bytes;
}

void loom_voq_sent(struct loom_voq *q, uint32_t len)
{
	q->bytes -= len;
	q->pkts--;
	q->balance -= len;
	q->st.out_pkts++;
	q->st.out_bytes += len;
}
