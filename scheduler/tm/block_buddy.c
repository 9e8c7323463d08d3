/* SPDX-License-Identifier: BSD-3-Clause */
/* Buddy allocator of power-of-two blocks (loom/tm/block_buddy.h). */
#include <stdlib.h>
#include <string.h>

#include "loom/tm/block_buddy.h"

static inline uint64_t words_at(const struct loom_buddy *b, unsigned int k)
{
	uint64_t blocks = 1ull << (b->levels - k);

	return (blocks + 63) / 64;
}

static inline int bit_get(const uint64_t *w, uint64_t i)
{
	return (int)((w[i / 64] >> (i % 64)) & 1);
}

static inline void bit_set(uint64_t *w, uint64_t i)
{
	w[i / 64] |= 1ull << (i % 64);
}

static inline void bit_clear(uint64_t *w, uint64_t i)
{
	w[i / 64] &= ~(1ull << (i % 64));
}

int loom_buddy_init(struct loom_buddy *b, unsigned int levels)
{
	memset(b, 0, sizeof(*b));
	if (levels > LOOM_BUDDY_MAX_LEVELS)
		return -1;
	b->levels = levels;
	for (unsigned int k = 0; k <= levels; k++) {
		b->free[k] = calloc(words_at(b, k), sizeof(uint64_t));
		if (!b->free[k]) {
			loom_buddy_fini(b);
			return -1;
		}
	}
	bit_set(b->free[levels], 0); /* the whole span, one free block */
	return 0;
}

void loom_buddy_fini(struct loom_buddy *b)
{
	for (unsigned int k = 0; k <= LOOM_BUDDY_MAX_LEVELS; k++) {
		free(b->free[k]);
		b->free[k] = NULL;
	}
}

int64_t loom_buddy_alloc(struct loom_buddy *b, unsigned int k)
{
	int64_t up;

	if (k > b->levels || !b->free[k])
		return -1;
	for (uint64_t w = 0, n = words_at(b, k); w < n; w++) {
		if (b->free[k][w]) {
			uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(b->free[k][w]);

			bit_clear(b->free[k], i);
			return (int64_t)(i << k);
		}
	}
	/* none of this size: split the first free larger one, keep its
	 * first half, the second half (its buddy) becomes free here */
	up = loom_buddy_alloc(b, k + 1);
	if (up < 0)
		return -1;
	bit_set(b->free[k], ((uint64_t)up >> k) + 1);
	return up;
}

void loom_buddy_release(struct loom_buddy *b, uint32_t unit, unsigned int k)
{
	uint64_t i = (uint64_t)unit >> k;

	/* coalesce with a free buddy, level by level */
	while (k < b->levels && bit_get(b->free[k], i ^ 1)) {
		bit_clear(b->free[k], i ^ 1);
		i >>= 1;
		k++;
	}
	bit_set(b->free[k], i);
}
