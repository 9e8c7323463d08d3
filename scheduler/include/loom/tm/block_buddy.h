/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Buddy allocator of power-of-two blocks over a span of 2^levels units
 * (indices only: the caller owns the memory the units stand for).
 *
 * The real-time traffic manager takes a growing lossless queue's arrays
 * from it (dataplane/tm/tm_queue_reserve.c): a queue doubles, so its
 * blocks are powers of two, and gives its block back when it empties, so
 * buddies coalesce again. rte_malloc cannot serve there (it locks the heap
 * and may map memory on the worker); DPDK has no allocator of variable
 * blocks over memory given to it, hence this one (~80 lines).
 *
 * One bitmap per level marks the free blocks of that size; an allocation
 * scans for the first free block (at most 2^levels / 64 words at level 0),
 * splitting a larger one when none is free. No allocation after init.
 */
#ifndef LOOM_TM_BLOCK_BUDDY_H
#define LOOM_TM_BLOCK_BUDDY_H

#include <stdint.h>

#define LOOM_BUDDY_MAX_LEVELS 14u /* 16384 units */

struct loom_buddy {
	unsigned int levels;                          /* the span: 2^levels units */
	uint64_t *free[LOOM_BUDDY_MAX_LEVELS + 1];     /* free[k] bit i: block i of 2^k units is free */
};

/* All 2^levels units free. 0, or -1 (levels too large, no memory). */
int loom_buddy_init(struct loom_buddy *b, unsigned int levels);
void loom_buddy_fini(struct loom_buddy *b);

/* A free block of 2^k units: its first unit, or -1 when none is left. */
int64_t loom_buddy_alloc(struct loom_buddy *b, unsigned int k);

/* Give back the block of 2^k units at `unit` (from loom_buddy_alloc(b, k)). */
void loom_buddy_release(struct loom_buddy *b, uint32_t unit, unsigned int k);

#endif
