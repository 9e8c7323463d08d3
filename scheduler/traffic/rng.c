/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>

#include "loom/traffic/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void loom_rng_seed(struct loom_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t loom_rng_u64(struct loom_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double loom_rng_unit(struct loom_rng *r)
{
	return (double)(loom_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t loom_rng_below(struct loom_rng *r, uint64_t n)
{
	/* reject the top partial range so that every value is equally likely */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = loom_rng_u64(r);
	while (x >= limit);
	return x % n;
}

double loom_rng_exp(struct loom_rng *r, double mean)
{
	/* 1 - u is in (0, 1]: log never sees 0 */
	return -mean * log(1.0 - loom_rng_unit(r));
}
