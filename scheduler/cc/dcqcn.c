/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "loom/cc/dcqcn.h"

#define REF_RATE_BPS 25000000000.0 /* the rate the HPCC settings are given at */

static uint64_t scaled(double at_25g_bps, uint64_t line)
{
	double v = at_25g_bps * (double)line / REF_RATE_BPS;
	return v < 1 ? 1 : (uint64_t)llround(v);
}

void loom_dcqcn_default(struct loom_dcqcn_cfg *cfg, uint64_t line_rate_bps)
{
	*cfg = (struct loom_dcqcn_cfg){
		.line_rate_bps = line_rate_bps,
		.min_rate_bps = scaled(1e9, line_rate_bps),
		.rate_ai_bps = scaled(5e6, line_rate_bps),
		.rate_hai_bps = scaled(50e6, line_rate_bps),
		.alpha_interval_ns = 1 * LOOM_NS_PER_US,
		.decrease_interval_ns = 4 * LOOM_NS_PER_US,
		.increase_timer_ns = 300 * LOOM_NS_PER_US,
		.byte_counter = 0,
		.fast_recovery_steps = 1,
		.g = 1.0 / 256,
		.initial_alpha = 1.0,
		.clamp_target = false,
		.cnp_interval_ns = 1 * LOOM_NS_PER_US,
	};
}

int loom_dcqcn_cfg_check(const struct loom_dcqcn_cfg *cfg)
{
	if (cfg->line_rate_bps == 0 || cfg->min_rate_bps == 0 || cfg->min_rate_bps > cfg->line_rate_bps ||
	    cfg->alpha_interval_ns == 0 || cfg->decrease_interval_ns == 0 || cfg->increase_timer_ns == 0 ||
	    !(cfg->g > 0 && cfg->g <= 1) || !(cfg->initial_alpha >= 0 && cfg->initial_alpha <= 1))
		return -EINVAL;
	return 0;
}

void loom_dcqcn_rp_init(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg)
{
	memset(rp, 0, sizeof(*rp));
	rp->rc_bps = rp->rt_bps = (double)cfg->line_rate_bps;
	rp->alpha = cfg->initial_alpha;
	rp->next_alpha = LOOM_TIME_NEVER;
	rp->next_increase = LOOM_TIME_NEVER;
}

static void cut(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns now)
{
	if (cfg->clamp_target || rp->increased)
		rp->rt_bps = rp->rc_bps;
	rp->rc_bps *= 1 - rp->alpha / 2;
	if (rp->rc_bps < (double)cfg->min_rate_bps)
		rp->rc_bps = (double)cfg->min_rate_bps;
	rp->t_count = rp->bc_count = 0;
	rp->bytes_since_event = 0;
	rp->increased = false;
	rp->cut_pending = false;
	rp->have_cut = true;
	rp->last_cut = now;
	rp->next_increase = now + cfg->increase_timer_ns;
	rp->st.cuts++;
}

static void increase(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg)
{
	uint32_t t = rp->t_count, bc = cfg->byte_counter ? rp->bc_count : rp->t_count;
	uint32_t hi = t > bc ? t : bc, lo = t < bc ? t : bc, f = cfg->fast_recovery_steps;
	double line = (double)cfg->line_rate_bps;
	enum loom_dcqcn_increase kind;

	if (hi < f) {
		kind = LOOM_DCQCN_FAST_RECOVERY;
	} else if (lo > f) {
		kind = LOOM_DCQCN_HYPER;
		rp->rt_bps += (double)cfg->rate_hai_bps;
	} else {
		kind = LOOM_DCQCN_ADDITIVE;
		rp->rt_bps += (double)cfg->rate_ai_bps;
	}
	if (rp->rt_bps > line)
		rp->rt_bps = line;
	rp->rc_bps = (rp->rt_bps + rp->rc_bps) / 2;
	if (rp->rt_bps - rp->rc_bps < 1.0) /* converged: no endless halving */
		rp->rc_bps = rp->rt_bps;
	rp->increased = true;
	rp->last_increase = kind;
	rp->st.increases[kind]++;
}

static bool at_line_rate(const struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg)
{
	return rp->rc_bps == (double)cfg->line_rate_bps && rp->rt_bps == (double)cfg->line_rate_bps;
}

static loom_time_ns pending_cut_at(const struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg)
{
	return rp->cut_pending ? rp->last_cut + cfg->decrease_interval_ns : LOOM_TIME_NEVER;
}

/* Alpha ticks from next_alpha up to and including `until`: the first sees
 * the CNP flag, the rest (no CNP can have arrived in them) only decay. */
static void alpha_ticks(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns until)
{
	uint64_t k = (until - rp->next_alpha) / cfg->alpha_interval_ns + 1;

	rp->alpha = (1 - cfg->g) * rp->alpha + (rp->cnp_in_interval ? cfg->g : 0);
	rp->cnp_in_interval = false;
	if (k > 1)
		rp->alpha *= pow(1 - cfg->g, (double)(k - 1));
	rp->next_alpha += k * cfg->alpha_interval_ns;
}

void loom_dcqcn_rp_advance(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns now)
{
	if (!rp->active)
		return;
	for (;;) {
		loom_time_ns cut_at = pending_cut_at(rp, cfg);
		loom_time_ns other = cut_at < rp->next_increase ? cut_at : rp->next_increase;

		/* ties: alpha first, then the cut (which uses it), then the increase */
		if (rp->next_alpha <= now && rp->next_alpha <= other) {
			alpha_ticks(rp, cfg, other < now ? other : now);
		} else if (cut_at <= now && cut_at <= rp->next_increase) {
			cut(rp, cfg, cut_at);
		} else if (rp->next_increase <= now) {
			if (at_line_rate(rp, cfg)) {
				/* nothing left to recover: count the ticks at once */
				uint64_t k = (now - rp->next_increase) / cfg->increase_timer_ns + 1;
				rp->t_count += (uint32_t)(k > UINT32_MAX - rp->t_count ? UINT32_MAX - rp->t_count : k);
				rp->next_increase += k * cfg->increase_timer_ns;
			} else {
				increase(rp, cfg);
				if (rp->t_count < UINT32_MAX)
					rp->t_count++;
				rp->next_increase += cfg->increase_timer_ns;
			}
		} else {
			break;
		}
	}
}

void loom_dcqcn_rp_on_cnp(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns now)
{
	loom_dcqcn_rp_advance(rp, cfg, now);
	rp->st.cnps++;
	if (!rp->active) {
		rp->active = true;
		rp->next_alpha = now + cfg->alpha_interval_ns;
	}
	rp->cnp_in_interval = true;
	if (!rp->have_cut || now >= rp->last_cut + cfg->decrease_interval_ns)
		cut(rp, cfg, now);
	else
		rp->cut_pending = true;
}

void loom_dcqcn_rp_on_send(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, uint64_t bytes,
			   loom_time_ns now)
{
	loom_dcqcn_rp_advance(rp, cfg, now);
	if (!rp->have_cut || cfg->byte_counter == 0)
		return;
	rp->bytes_since_event += bytes;
	while (rp->bytes_since_event >= cfg->byte_counter) {
		rp->bytes_since_event -= cfg->byte_counter;
		if (!at_line_rate(rp, cfg))
			increase(rp, cfg);
		if (rp->bc_count < UINT32_MAX)
			rp->bc_count++;
	}
}

loom_time_ns loom_dcqcn_rp_next_event(const struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg)
{
	/* alpha ticks are not events: advance applies them in closed form
	 * whenever it runs, so the host need not wake every alpha_interval */
	loom_time_ns t = pending_cut_at(rp, cfg);

	if (rp->active && !at_line_rate(rp, cfg) && rp->next_increase < t)
		t = rp->next_increase;
	return t;
}

uint64_t loom_dcqcn_rp_rate(const struct loom_dcqcn_rp *rp)
{
	return (uint64_t)rp->rc_bps;
}

void loom_dcqcn_np_init(struct loom_dcqcn_np *np)
{
	memset(np, 0, sizeof(*np));
}

bool loom_dcqcn_np_on_packet(struct loom_dcqcn_np *np, const struct loom_dcqcn_cfg *cfg, bool ce,
			     loom_time_ns now)
{
	if (!ce)
		return false;
	if (np->sent_any && now < np->last_cnp + cfg->cnp_interval_ns) {
		np->ce_suppressed++;
		return false;
	}
	np->sent_any = true;
	np->last_cnp = now;
	np->cnps++;
	return true;
}
