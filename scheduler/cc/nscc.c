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
		.min_cwnd = mss,
	};
}

uint64_t loom_nscc_bdp(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	return (uint64_t)((double)cfg->rate_bps * (double)st->base_rtt / 8e9);
}

loom_time_ns loom_nscc_target(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	return cfg->target_qdelay ? cfg->target_qdelay : st->base_rtt * 3 / 4;
}

static uint64_t max_cwnd(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	if (cfg->max_cwnd)
		return cfg->max_cwnd;
	/* 1.5 BDP; no cap until the base RTT is known */
	return st->base_rtt ? loom_nscc_bdp(st, cfg) * 3 / 2 : UINT64_MAX;
}

static void clamp(struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	uint64_t hi = max_cwnd(st, cfg);

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
	if (cfg->init_cwnd)
		st->cwnd = cfg->init_cwnd;
	else
		st->cwnd = st->base_rtt ? loom_nscc_bdp(st, cfg) : 10ull * cfg->mss;
	clamp(st, cfg);
}

/* cwnd += per_window x acked / cwnd, keeping the fraction of a byte */
static void increase(struct loom_nscc *st, double per_window, uint64_t acked)
{
	double add = per_window * (double)acked / (double)st->cwnd + st->cwnd_frac;
	uint64_t whole = (uint64_t)add;

	st->cwnd += whole;
	st->cwnd_frac = add - (double)whole;
}

void loom_nscc_on_ack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint64_t acked, bool ecn,
		      loom_time_ns sent, loom_time_ns now)
{
	loom_time_ns rtt = now > sent ? now - sent : 0, q, target, fast;
	uint64_t bdp;

	st->samples++;
	if (!cfg->base_rtt && (!st->base_rtt || rtt < st->base_rtt))
		st->base_rtt = rtt;
	q = rtt > st->base_rtt ? rtt - st->base_rtt : 0;
	st->last_qdelay = q;
	target = loom_nscc_target(st, cfg);
	fast = cfg->fast_qdelay ? cfg->fast_qdelay : st->base_rtt / 20;
	bdp = loom_nscc_bdp(st, cfg);

	st->near_base_bytes = q <= fast ? st->near_base_bytes + acked : 0;
	if (ecn && q >= target) {
		/* both signals: congestion here; once per window */
		if (sent >= st->last_cut && q > 0) {
			double md = cfg->gamma * (double)(q - target) / (double)q;
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

void loom_nscc_on_nack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg)
{
	st->nacks++;
	st->cwnd = st->cwnd > cfg->mss ? st->cwnd - cfg->mss : 0;
	st->cwnd_frac = 0;
	clamp(st, cfg);
}
