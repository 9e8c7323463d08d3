/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token-bucket shaper with exact credit (see loom/tm/shaper.h).
 *
 * Credit is in units of 1/8e9 byte, so accrual is rate * dt with no
 * division and no remainder to carry: nothing is ever rounded, and the
 * bytes allowed by time t depend only on t, never on how many times or at
 * which instants the shaper was consulted.
 */
#include <errno.h>
#include <math.h>

#include "loom/tm/shaper.h"

static int64_t bytes_to_units(uint32_t bytes)
{
	if (bytes > LOOM_SHAPER_MAX_BYTES)
		bytes = LOOM_SHAPER_MAX_BYTES;
	return (int64_t)bytes * LOOM_SHAPER_UNITS_PER_BYTE;
}

/*
 * Credit at `now`, without storing it. Time that goes backwards adds
 * nothing.
 *
 * Accrual stops at the first whole ns at which the credit reaches the cap,
 * and what it overshot the cap by (less than one ns of accrual: the
 * fraction of a ns the bucket was full before that ns) is kept. Clipping
 * it would lose that fraction every time a packet needs a full bucket
 * (burst 0, or a packet of the bucket's size): the sender comes at the
 * first ns after the credit is there, and the rate would fall short by up
 * to one ns per packet. Kept, the result is exact and does not depend on
 * when the shaper is consulted (credit grows in whole multiples of the
 * rate from any point), at the price of a burst that may exceed the
 * bucket by less than rate * 1 ns (50 B at 400G).
 *
 * rate * dt is only formed for dt up to the time to fill the bucket,
 * where it is below cap - credit + rate: no overflow whatever the idle
 * time.
 */
static int64_t credit_at(const struct loom_shaper *s, loom_time_ns now)
{
	uint64_t room, dt, fill_ns;

	if (s->credit >= s->cap || now <= s->last || s->rate_bps == 0)
		return s->credit;
	room = (uint64_t)(s->cap - s->credit);
	dt = now - s->last;
	fill_ns = (room + s->rate_bps - 1) / s->rate_bps;
	if (dt > fill_ns)
		dt = fill_ns;
	return s->credit + (int64_t)(dt * s->rate_bps);
}

static void refill(struct loom_shaper *s, loom_time_ns now)
{
	s->credit = credit_at(s, now);
	if (now > s->last)
		s->last = now;
}

/* What a packet needs: its size, or a full bucket when it is larger than
 * the bucket (otherwise it could never go). */
static int64_t need_units(const struct loom_shaper *s, uint32_t bytes)
{
	int64_t need = bytes_to_units(bytes);

	return need < s->cap ? need : s->cap;
}

int loom_shaper_init(struct loom_shaper *s, uint64_t rate_bps, uint32_t burst_bytes,
		     loom_time_ns now)
{
	if (burst_bytes > LOOM_SHAPER_MAX_BYTES || rate_bps > LOOM_SHAPER_MAX_RATE)
		return -EINVAL;
	*s = (struct loom_shaper){
		.rate_bps = rate_bps,
		.burst_bytes = burst_bytes,
		.cap = bytes_to_units(burst_bytes),
		.last = now,
	};
	s->credit = s->cap;
	return 0;
}

bool loom_shaper_can_send(const struct loom_shaper *s, uint32_t bytes, loom_time_ns now)
{
	return credit_at(s, now) >= need_units(s, bytes);
}

void loom_shaper_consume(struct loom_shaper *s, uint32_t bytes, loom_time_ns now)
{
	refill(s, now);
	if (s->credit < need_units(s, bytes))
		s->st.early++;
	s->credit -= bytes_to_units(bytes);
	/* Only a caller that keeps sending without asking gets here; keep the
	 * debt within the range the arithmetic above is sized for. */
	if (s->credit < -(int64_t)LOOM_SHAPER_MAX_BYTES * LOOM_SHAPER_UNITS_PER_BYTE)
		s->credit = -(int64_t)LOOM_SHAPER_MAX_BYTES * LOOM_SHAPER_UNITS_PER_BYTE;
	s->st.tx_pkts++;
	s->st.tx_bytes += bytes;
}

loom_time_ns loom_shaper_next_time(const struct loom_shaper *s, uint32_t bytes, loom_time_ns now)
{
	int64_t credit = credit_at(s, now);
	int64_t need = need_units(s, bytes);
	uint64_t missing;

	if (credit >= need)
		return now;
	if (s->rate_bps == 0)
		return LOOM_TIME_NEVER;
	/* need <= cap, so the bucket does not cap the credit before it gets
	 * there: it grows by exactly rate per ns from `now` on. */
	missing = (uint64_t)(need - credit);
	return now + (missing + s->rate_bps - 1) / s->rate_bps;
}

int loom_shaper_set_rate(struct loom_shaper *s, uint64_t rate_bps, loom_time_ns now)
{
	if (rate_bps > LOOM_SHAPER_MAX_RATE)
		return -EINVAL;
	refill(s, now);
	s->rate_bps = rate_bps;
	return 0;
}

int loom_shaper_set_burst(struct loom_shaper *s, uint32_t burst_bytes, loom_time_ns now)
{
	if (burst_bytes > LOOM_SHAPER_MAX_BYTES)
		return -EINVAL;
	refill(s, now);
	s->burst_bytes = burst_bytes;
	s->cap = bytes_to_units(burst_bytes);
	if (s->credit > s->cap)
		s->credit = s->cap;
	return 0;
}

int64_t loom_shaper_credit_bytes(const struct loom_shaper *s, loom_time_ns now)
{
	int64_t c = credit_at(s, now);

	/* floor division for negative credit too */
	if (c >= 0)
		return c / LOOM_SHAPER_UNITS_PER_BYTE;
	return -((-c + LOOM_SHAPER_UNITS_PER_BYTE - 1) / LOOM_SHAPER_UNITS_PER_BYTE);
}

uint64_t loom_rate_scaled(uint64_t rate_bps, double time_scale)
{
	double r;

	if (!(time_scale > 0.0) || !isfinite(time_scale))
		return 0;
	if (rate_bps == 0)
		return 0;
	r = nearbyint((double)rate_bps / time_scale);
	if (r < 1.0)
		return 1;
	if (r >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)r;
}
