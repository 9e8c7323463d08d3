/* SPDX-License-Identifier: BSD-3-Clause */
/* NSCC-style window control (see loom/cc/nscc.h). */
#include <string.h>

#include "loom/cc/nscc.h"

void loom_nscc_default(struct loom_nscc_cfg *cfg, uint32_t mss, uint64_t rate_bps)
{
	*cfg = (struct loom_nscc_cfg){
		.mss = mss,
		.rate_bps = rate_bps,
		.gamma = 0.8,
		.max_md = 0.5,
		.min_cwnd = mss / 8 ? mss / 8 : 1,
		.pace_cwnd = mss,
	};
}

static uint64_t bytes_in(const struct loom_nscc_cfg *cfg, loom_time_ns t)
{
	return (uint64_t)((double)cfg->rate_bps * (double)t / 8e9);
}

uint64_t loom_nscc_bdp(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	return bytes_in(cfg, st->base_rtt);
}

loom_time_ns loom_nscc_target(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	return cfg->target_qdelay ? cfg->target_qdelay : st->base_rtt * 3 / 4;
}

uint64_t loom_nscc_max_cwnd(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	uint64_t hi, rtt;

	if (cfg->max_cwnd)
		return cfg->max_cwnd;
	if (!st->base_rtt)
		return UINT64_MAX; /* no cap until the base RTT is known */
	/* 1.5 BDP, or the window that fills the line at the RTT measured, up
	 * to the one at the delay target (a larger cap, 2 BDP, fed the
	 * spraying modes' queues: adaptive 1.127 x ideal against 1.112) */
	hi = bytes_in(cfg, st->base_rtt + loom_nscc_target(st, cfg));
	rtt = bytes_in(cfg, st->srtt);
	if (rtt > hi)
		rtt = hi;
	return rtt > loom_nscc_bdp(st, cfg) * 3 / 2 ? rtt : loom_nscc_bdp(st, cfg) * 3 / 2;
}

static void clamp(struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	uint64_t hi = loom_nscc_max_cwnd(st, cfg);

	if (hi < cfg->min_cwnd)
		hi = cfg->min_cwnd;
	if (st->cwnd > hi) {
		st->cwnd = hi;
		st->cwnd_frac = 0;
	}
	if (st->cwnd < cfg->min_cwnd)
		st->cwnd = cfg->min_cwnd;
}

void loom_nscc_init(struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	memset(st, 0, sizeof(*st));
	st->base_rtt = cfg->base_rtt;
	st->srtt = cfg->base_rtt;
	st->qa_start = LOOM_TIME_NEVER;
	if (cfg->init_cwnd)
		st->cwnd = cfg->init_cwnd;
	else if (cfg->start_at_cap && st->base_rtt)
		st->cwnd = loom_nscc_max_cwnd(st, cfg); /* srtt = base RTT here: 1.5 BDP unless max_cwnd */
	else
		st->cwnd = st->base_rtt ? loom_nscc_bdp(st, cfg) : 10ull * cfg->mss;
	clamp(st, cfg);
}

loom_time_ns loom_nscc_pace_gap(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint32_t bytes)
{
	if (st->cwnd >= cfg->pace_cwnd || !st->srtt || !st->cwnd)
		return 0;
	return (loom_time_ns)((double)bytes * (double)st->srtt / (double)st->cwnd);
}

/* Quick adapt, on every ACK and NACK: `mark` when this one is a NACK or
 * its delay is above qa_delay. At the end of an interval of base RTT +
 * target (UEC's: about one RTT at the target's queue) in which a mark
 * came, the window becomes what the interval acknowledged (per base RTT).
 * Returns whether it did. Over a bare base RTT a flow of one or two
 * packets an RTT (a 32:1 incast's) measured zero or a packet by chance,
 * and its window followed the draw (incast Jain 0.97 -> 0.99). */
static bool quick_adapt(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, bool mark, loom_time_ns sent,
			loom_time_ns now)
{
	bool done = false;

	if (sent >= st->qa_after)
		st->qa_pending |= mark;
	if (!st->base_rtt)
		return false;
	if (st->qa_start == LOOM_TIME_NEVER) {
		st->qa_start = now;
		return false;
	}
	if (now - st->qa_start < st->base_rtt + loom_nscc_target(st, cfg))
		return false;
	if (st->qa_pending) {
		double w = (double)st->qa_acked * (double)st->base_rtt / (double)(now - st->qa_start);

		st->cwnd = (uint64_t)w;
		st->cwnd_frac = 0;
		st->qa_after = now;
		st->qa_pending = false;
		st->quick_adapts++;
		clamp(st, cfg);
		done = true;
	}
	st->qa_start = now;
	st->qa_acked = 0;
	return done;
}

/* cwnd += per_window x acked / cwnd, keeping the fraction of a byte; at
 * most what the ACK acknowledged (a window below per_window would
 * otherwise jump by several windows at once: no faster than slow start) */
static void increase(struct loom_nscc *st, double per_window, uint64_t acked)
{
	double add = per_window * (double)acked / (double)st->cwnd * st->rtt_scale;
	uint64_t whole;

	add = (add < (double)acked ? add : (double)acked) + st->cwnd_frac;
	whole = (uint64_t)add;

	st->cwnd += whole;
	st->cwnd_frac = add - (double)whole;
}

void loom_nscc_on_ack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint64_t acked, bool ecn,
		      loom_time_ns sent, loom_time_ns now)
{
	loom_time_ns rtt = now > sent ? now - sent : 0, q, target, fast, qa, floor;
	uint64_t bdp;

	st->samples++;
	st->acked_bytes += acked;
	st->marked_bytes += ecn ? acked : 0;
	if (!cfg->base_rtt && (!st->base_rtt || rtt < st->base_rtt))
		st->base_rtt = rtt;
	st->srtt = st->srtt ? st->srtt - st->srtt / 8 + rtt / 8 : rtt;
	if (!st->min_rtt || rtt < st->min_rtt)
		st->min_rtt = rtt;
	/* the queueing delay over this flow's own path: a configured base RTT
	 * (the fabric's longest) overstates a shorter path's, which would
	 * never see its queue reach the target */
	floor = st->min_rtt < st->base_rtt ? st->min_rtt : st->base_rtt;
	q = rtt > floor ? rtt - floor : 0;
	/* a shorter path's increases scaled by (its RTT / base RTT)^2: equal
	 * windows per unit of time would still give it a larger rate */
	st->rtt_scale = st->base_rtt ? (double)floor / (double)st->base_rtt : 1;
	st->rtt_scale *= st->rtt_scale;
	st->last_qdelay = q;
	/* the delay averaged over about a base RTT (gain: the time since the
	 * last sample over the base RTT, at most 1): UEC's multiplicative
	 * decrease reads an average, so one sample from per-packet
	 * spreading's tail is not a standing queue; a flow whose ACKs come a
	 * base RTT apart (a 32:1 incast's) reads every sample whole */
	if (!st->avg_at) {
		st->avg_qdelay = (double)q;
	} else {
		double w = st->base_rtt ? (double)(now - st->avg_at) / (double)st->base_rtt : 1;

		st->avg_qdelay += (w < 1 ? w : 1) * ((double)q - st->avg_qdelay);
	}
	st->avg_at = now > 0 ? now : 1;
	target = loom_nscc_target(st, cfg);
	fast = cfg->fast_qdelay ? cfg->fast_qdelay : st->base_rtt / 20;
	qa = cfg->qa_delay ? cfg->qa_delay : 4 * target;
	bdp = loom_nscc_bdp(st, cfg);

	st->qa_acked += acked;
	if (quick_adapt(st, cfg, q > qa, sent, now) || sent < st->qa_after)
		return; /* the window was just set, or this tells of the one before */
	st->near_base_bytes = q <= fast ? st->near_base_bytes + acked : 0;
	if (ecn && q >= target) {
		/* both signals: congestion here, if the average agrees (else
		 * nothing, as UEC's); once per window */
		double avg = st->avg_qdelay;

		if (sent >= st->last_cut && avg > (double)target) {
			double md = cfg->gamma * (avg - (double)target) / avg;
			double w = (double)st->cwnd * (1 - (md < cfg->max_md ? md : cfg->max_md));

			st->cwnd = (uint64_t)w;
			st->cwnd_frac = 0;
			st->last_cut = now;
			st->cuts++;
		}
	} else if (!ecn && q < target) {
		if (st->near_base_bytes >= st->cwnd) {
			st->cwnd += acked; /* a whole window at the base RTT: the path is empty */
			st->increases_fast++;
		} else {
			double pi = cfg->pi_bytes ? (double)cfg->pi_bytes : (double)(bdp ? bdp : cfg->mss) / 8;

			increase(st, pi * (double)(target - q) / (double)(target ? target : 1), acked);
			st->increases_pi++;
		}
	} else {
		increase(st, (double)(cfg->fi_bytes ? cfg->fi_bytes : cfg->mss), acked);
		st->increases_fi++;
	}
	clamp(st, cfg);
}

void loom_nscc_on_nack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, loom_time_ns sent, loom_time_ns now)
{
	st->nacks++;
	/* a trim with a short queue is spreading's transient collision, not
	 * a standing queue: no quick adapt (as no cut without delay) */
	quick_adapt(st, cfg, st->last_qdelay >= (cfg->qa_trim_delay ? cfg->qa_trim_delay : loom_nscc_target(st, cfg) / 2),
		    sent, now);
}
