/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load balancers' pseudo-random numbers: splitmix64 (one 64-bit word
 * of state, full period, passes BigCrush). Every switch seeds its own from
 * its hash seed, so that a run is repeatable: the virtual-time mode replays
 * the same choices for the same seed. Written here rather than taken from
 * rte_rand() because that one is per lcore, seeded from the clock, and not
 * available to plain-C scheduler code.
 */
#ifndef LOOM_LB_RNG_H
#define LOOM_LB_RNG_H

#include <stdint.h>

struct lb_rng {
	uint64_t s;
};

static inline void lb_rng_seed(struct lb_rng *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t lb_rng_next(struct lb_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (multiply-shift over the top 32 bits). */
static inline uint32_t lb_rng_below(struct lb_rng *r, uint32_t n)
{
	return (uint32_t)(((lb_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
