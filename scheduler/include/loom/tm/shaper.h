/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token-bucket shaper, in bytes, with the time passed in.
 *
 * Every output port of a switch with the traffic manager on transmits at
 * its port rate through one of these (with `tm: {enabled: false}` a port
 * has a plain FIFO and no shaper: its link alone paces it): the egress
 * traffic manager asks whether the head packet may go now, and when it may
 * (loom_shaper_next_time, through loom_switch_next_tx_time), which is when
 * the virtual-time runner schedules the port's next transmit event.
 *
 * Credit is kept exactly. One byte is LOOM_SHAPER_UNITS_PER_BYTE (8e9)
 * units, so that a rate in bit/s times an interval in ns is a whole number
 * of units: rate * dt / 8e9 bytes accrue with no rounding at all, and the
 * long-run rate is exact whatever the rate (7.3 Gb/s as well as 10 Gb/s)
 * and however often the shaper is consulted. A shaper that added
 * rate * dt / 8e9 truncated to whole bytes at every call would lose up to
 * a byte per call, and its rate would depend on the polling interval.
 *
 * Conformance: a packet of `bytes` may go when the credit is at least
 * min(bytes, burst). Sending takes its bytes from the credit, which may
 * therefore go negative when a packet is larger than the bucket. So:
 *  - burst >= largest packet: a classic token bucket (Linux tbf,
 *    rte_sched): over any interval T at most burst + rate * T bytes leave;
 *  - burst = 0: a packet may start when the previous one has been paid
 *    for, which is a wire serializing at `rate` (a port that was idle
 *    sends at once, back-to-back packets leave size/rate apart, the k-th
 *    at exactly ceil(k * size * 8 / rate) ns);
 *  - in general at most burst + one packet + rate * T.
 * A full bucket after idle time is the burst a port may send at once.
 * Time has ns resolution: a full bucket also keeps the fraction of a ns of
 * accrual by which it overshot (see shaper.c), so each bound above may be
 * exceeded by less than rate * 1 ns; in exchange a sender that acts at the
 * ns next_time() gives loses nothing, ever.
 */
#ifndef LOOM_SHAPER_H
#define LOOM_SHAPER_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"


/* rate [bit/s] * dt [ns] units == dt * rate / 8e9 bytes */
#define LOOM_SHAPER_UNITS_PER_BYTE 8000000000ll

/* Largest burst and largest single charge, so that credit in units fits an
 * int64_t with room for one more charge below zero and one ns of accrual
 * above the cap (2^29 * 8e9 = 4.3e18; the range is 9.2e18). */
#define LOOM_SHAPER_MAX_BYTES (1u << 29)
/* Largest rate (1 Pb/s), for the same reason: one ns of accrual stays far
 * below the int64_t headroom. */
#define LOOM_SHAPER_MAX_RATE 1000000000000000ull

struct loom_shaper_stats {
	uint64_t tx_pkts;  /* charges (loom_shaper_consume calls) */
	uint64_t tx_bytes;
	uint64_t early;    /* charges made while the packet did not conform:
			    * the caller sent without asking; accounted anyway */
};

struct loom_shaper {
	uint64_t rate_bps;     /* 0: nothing may be sent (link down) */
	uint32_t burst_bytes;
	int64_t cap;           /* burst_bytes in units */
	int64_t credit;        /* units; in [-LOOM_SHAPER_MAX_BYTES bytes, cap] */
	loom_time_ns last;     /* time `credit` is valid at */
	struct loom_shaper_stats st;
};

/* Start with a full bucket (a port that has been idle may send its burst).
 * Returns 0, or -EINVAL when burst_bytes > LOOM_SHAPER_MAX_BYTES or
 * rate_bps > LOOM_SHAPER_MAX_RATE. */
int loom_shaper_init(struct loom_shaper *s, uint64_t rate_bps, uint32_t burst_bytes,
		     loom_time_ns now);

/* May a packet of `bytes` go at `now`? Does not change the shaper. */
bool loom_shaper_can_send(const struct loom_shaper *s, uint32_t bytes, loom_time_ns now);

/* Charge a packet of `bytes` sent at `now` (counted as early if it did not
 * conform: the charge is made anyway so that the rate stays exact). */
void loom_shaper_consume(struct loom_shaper *s, uint32_t bytes, loom_time_ns now);

/* Earliest time >= now at which a packet of `bytes` conforms: exact, i.e.
 * loom_shaper_can_send() is true at the returned time and false one ns
 * before it (unless it is `now`). LOOM_TIME_NEVER when the rate is 0. */
loom_time_ns loom_shaper_next_time(const struct loom_shaper *s, uint32_t bytes, loom_time_ns now);

/* Change the rate at `now`: credit earned until now is kept at the old
 * rate, credit from now on accrues at the new one. 0 or -EINVAL. */
int loom_shaper_set_rate(struct loom_shaper *s, uint64_t rate_bps, loom_time_ns now);

/* Change the bucket size at `now`; credit above the new cap is lost.
 * Returns 0 or -EINVAL (see loom_shaper_init). */
int loom_shaper_set_burst(struct loom_shaper *s, uint32_t burst_bytes, loom_time_ns now);

/* Credit at `now` in whole bytes (rounded down; negative while in debt). */
int64_t loom_shaper_credit_bytes(const struct loom_shaper *s, loom_time_ns now);

/*
 * The rate a link runs at when the fabric is slowed down by `time_scale`
 * (1: real rate; 100: a "400G" link carries 4 Gb/s), so that the CPU can
 * carry it. Rounded to the nearest bit/s, at least 1 for a nonzero rate;
 * 0 when time_scale is not a positive finite number.
 *
 * Everything derived from a rate (shaper, ECN thresholds, PFC pause time,
 * RED idle decay) must be given the scaled rate, so that the slowed fabric
 * behaves as the real one does, slower: e.g. DCTCP's K scales with the
 * bandwidth-delay product, which scales with the rate the link runs at.
 * The only floating point is here, once, at configuration time.
 */
uint64_t loom_rate_scaled(uint64_t rate_bps, double time_scale);

#endif
