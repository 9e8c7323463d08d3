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
	return loom_voq_to_request_ahead(q, 0);
}

/* Moves the windows on to the one `now` falls in. */
static void arrivals_age(struct loom_voq *q, loom_time_ns now, loom_time_ns window)
{
	if (now < q->arr_start + window)
		return;
	/* the window in progress ended: it is the last whole one, unless a
	 * whole window without arrivals passed since */
	q->arr_prev = now < q->arr_start + 2 * window ? q->arr_cur : 0;
	q->arr_cur = 0;
	q->arr_start = now - (now - q->arr_start) % window;
}

void loom_voq_arrived(struct loom_voq *q, uint32_t len, loom_time_ns now, loom_time_ns window)
{
	if (window == 0)
		return;
	arrivals_age(q, now, window);
	q->arr_cur += len;
}

uint64_t loom_voq_ahead(struct loom_voq *q, loom_time_ns now, loom_time_ns window)
{
	if (window == 0)
		return 0;
	arrivals_age(q, now, window);
	return q->arr_cur > q->arr_prev ? q->arr_cur : q->arr_prev;
}

int64_t loom_voq_need(const struct loom_voq *q, uint64_t ahead)
{
	/* held bytes, or those expected within a round trip if more, not
	 * covered by credit in hand or asked for */
	uint64_t cover = q->bytes > ahead ? q->bytes : ahead;

	return (int64_t)cover - q->balance - (int64_t)q->outstanding;
}

uint64_t loom_voq_to_request_ahead(struct loom_voq *q, uint64_t ahead)
{
	int64_t need = loom_voq_need(q, ahead);

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
