/* SPDX-License-Identifier: BSD-3-Clause */
/* A fake switch for load-balancing policy tests: queue depths and port
 * loads that the test sets by hand, a seeded PRNG, a group of n members on
 * ports 0..n-1. */
#ifndef LOOM_LB_FAKE_ENV_H
#define LOOM_LB_FAKE_ENV_H

#include <string.h>

#include "loom/lb/lb_policy.h"

#define FAKE_PORTS 32

struct fake_switch {
	uint64_t queued[FAKE_PORTS];
	struct lb_port_load load[FAKE_PORTS];
	struct lb_member members[FAKE_PORTS];
	struct lb_params params;
	struct lb_rng rng;
	struct lb_env env;
	struct lb_group_view g;
};

static uint64_t fake_queued_bytes(const void *ctx, uint16_t port)
{
	const struct fake_switch *f = ctx;
	return f->queued[port];
}

static inline void fake_switch_init(struct fake_switch *f, uint16_t n, uint64_t rate_bps, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	lb_params_default(&f->params);
	lb_rng_seed(&f->rng, seed);
	for (uint16_t i = 0; i < n; i++)
		f->members[i] = (struct lb_member){.port = i, .rate_bps = rate_bps};
	f->env = (struct lb_env){.queued_bytes = fake_queued_bytes, .ctx = f, .port_load = f->load,
				 .load_params = &f->params.load, .rng = &f->rng};
	f->g = (struct lb_group_view){.n_members = n, .members = f->members, .env = &f->env};
}

/* Port load in the middle of band `band` for a port at `rate_bps`: past
 * and future load both at the same fraction of their full scale. */
static inline void fake_set_band(struct fake_switch *f, uint16_t port, unsigned int band, uint64_t rate_bps)
{
	const struct lb_load_params *p = &f->params.load;
	double bytes_per_ns = (double)rate_bps / 8e9;
	double frac = (band + 0.5) / LB_QUALITY_BANDS;

	f->load[port].past_ewma = (uint64_t)(frac * bytes_per_ns * (double)p->interval_ns * (1 << LB_LOAD_FRAC_BITS));
	f->load[port].future_ewma = (uint64_t)(frac * bytes_per_ns * (double)p->horizon_ns * (1 << LB_LOAD_FRAC_BITS));
}

#endif
