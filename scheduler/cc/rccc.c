/* SPDX-License-Identifier: BSD-3-Clause */
/* Receiver credits after UEC's RCCC (see loom/cc/rccc.h). */
#include "loom/cc/rccc.h"
#include "loom/sim/link.h"

void loom_rccc_tx_init(struct loom_rccc_tx *t, uint64_t spec_bytes)
{
	*t = (struct loom_rccc_tx){.credit = (int64_t)spec_bytes, .spec = spec_bytes, .spec_left = spec_bytes};
}

bool loom_rccc_tx_spend(struct loom_rccc_tx *t, uint32_t frame)
{
	bool unsolicited = t->spec_left > 0 || t->credit <= 0;

	t->spec_left -= t->spec_left < frame ? t->spec_left : frame;
	t->credit -= frame;
	t->spent += frame;
	return unsolicited;
}

uint64_t loom_rccc_tx_on_grant(struct loom_rccc_tx *t, uint64_t granted)
{
	uint64_t add = 0;

	if (granted > t->granted_seen) {
		add = granted - t->granted_seen;
		t->credit += (int64_t)add;
		t->granted_seen = granted;
	}
	return add;
}

uint64_t loom_rccc_tx_request(const struct loom_rccc_tx *t, uint64_t backlog, uint64_t cap)
{
	int64_t want = (int64_t)(backlog < cap ? backlog : cap) - t->credit;

	return t->granted_seen + (want > 0 ? (uint64_t)want : 0);
}

void loom_rccc_pacer_init(struct loom_rccc_pacer *p, uint64_t rate_bps, uint32_t quantum, loom_time_ns lead)
{
	*p = (struct loom_rccc_pacer){.rate_bps = rate_bps, .quantum = quantum ? quantum : 1, .lead = lead};
}

void loom_rccc_pacer_unsolicited(struct loom_rccc_pacer *p, uint32_t bytes, loom_time_ns now)
{
	/* in the grants' time: these bytes' passage, `lead` earlier */
	loom_time_ns at = now > p->lead ? now - p->lead : 0;

	p->unsolicited_bytes += bytes;
	if (at + loom_link_serialization_ns(bytes, p->rate_bps) <= p->epoch)
		return; /* before the grants' data can arrive: the link was free for them */
	if (p->next_at < at) {
		p->next_at = p->epoch = at;
		p->epoch_bytes = 0;
	}
	p->epoch_bytes += bytes;
	p->next_at = p->epoch + loom_link_serialization_ns(p->epoch_bytes, p->rate_bps);
}

void loom_rccc_pacer_request(struct loom_rccc_pacer *p, struct loom_rccc_rx *r, uint64_t request, loom_time_ns now)
{
	bool wanted = loom_rccc_rx_wants(r);

	if (request > r->request) {
		if (r->request == 0 && p->flows++ == 0)
			p->first_at = now;
		r->request = request;
	}
	if (wanted || !loom_rccc_rx_wants(r))
		return;
	if (p->wanting++ == 0 && p->next_at < now) { /* idle until now: no banked time */
		p->next_at = p->epoch = now;
		p->epoch_bytes = 0;
	}
}

static inline struct loom_rccc_rx *at(struct loom_rccc_rx *rx0, size_t stride, uint32_t i)
{
	return (struct loom_rccc_rx *)((char *)rx0 + (size_t)i * stride);
}

int loom_rccc_pacer_grant(struct loom_rccc_pacer *p, struct loom_rccc_rx *rx0, size_t stride, uint32_t n,
			  loom_time_ns now)
{
	loom_time_ns start = p->next_at, back = loom_link_serialization_ns(p->quantum, p->rate_bps);

	if (!p->wanting || loom_rccc_pacer_due(p) > now)
		return -1;
	if (now > back && start < now - back) { /* late: catch up one grant's time at most */
		p->epoch = now - back;
		p->epoch_bytes = 0;
	}
	for (uint32_t j = 0; j < n; j++) {
		uint32_t i = (p->rr + j) % n;
		struct loom_rccc_rx *r = at(rx0, stride, i);
		uint64_t amount;

		if (!loom_rccc_rx_wants(r))
			continue;
		amount = r->request - r->granted;
		if (amount > p->quantum)
			amount = p->quantum;
		r->granted += amount;
		r->grants++;
		p->grants++;
		p->granted_bytes += amount;
		/* from the start of the busy period: no rounding adds up */
		p->epoch_bytes += amount;
		p->next_at = p->epoch + loom_link_serialization_ns(p->epoch_bytes, p->rate_bps);
		p->rr = (i + 1) % n;
		if (!loom_rccc_rx_wants(r))
			p->wanting--;
		return (int)i;
	}
	p->wanting = 0; /* (not reached while the count is kept) */
	return -1;
}
