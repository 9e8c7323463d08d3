/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small seeded pseudo-random generator for workload generation
 * (xoshiro256**, Blackman & Vigna 2018; seeded through splitmix64).
 *
 * Why not rand()/random(): their sequence is libc's, global and not
 * reproducible across machines; a workload must be the same flow list for
 * the same seed everywhere (the experiment runner records the seed). The
 * state is passed in, so generators are pure functions of (input, seed).
 */
#ifndef LOOM_RNG_H
#define LOOM_RNG_H

#include <stdint.h>

struct loom_rng {
	uint64_t s[4];
};

void loom_rng_seed(struct loom_rng *r, uint64_t seed);
uint64_t loom_rng_u64(struct loom_rng *r);
/* Uniform on [0, 1), 53 bits. */
double loom_rng_unit(struct loom_rng *r);
/* Uniform on 0 .. n-1 (n > 0), without modulo bias. */
uint64_t loom_rng_below(struct loom_rng *r, uint64_t n);
/* Exponential with the given mean (> 0). */
double loom_rng_exp(struct loom_rng *r, double mean);

/* Marsaglia's xorshift (2003): the state after `x` (never 0), a few
 * instructions, for per-packet draws in the datapath (RED's draw, host
 * jitter, entropy) where xoshiro's four words cost too much. By value, so
 * that the caller's state stays in a register (no aliasing through a
 * pointer). */
static inline uint32_t loom_xorshift32(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static inline uint64_t loom_xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

#endif
