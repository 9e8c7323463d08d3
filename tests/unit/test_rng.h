/* SPDX-License-Identifier: BSD-3-Clause */
/* A fixed pseudo-random sequence (xorshift64*) so that tests are
 * repeatable. A test file may define TEST_RNG_SEED before including this
 * to start its own sequence. */
#ifndef LOOM_TEST_RNG_H
#define LOOM_TEST_RNG_H

#include <stdint.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED 0x9e3779b97f4a7c15ull
#endif

static uint64_t rng_state = TEST_RNG_SEED;

static inline void rng_seed(uint64_t s)
{
	rng_state = s ? s : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static inline uint32_t rng32(void)
{
	return (uint32_t)(rng() >> 32);
}

#endif
