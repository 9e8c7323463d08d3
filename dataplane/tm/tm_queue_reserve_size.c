/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lossless queues' reserve's size for a switch's buffer
 * (tm_queue_reserve.c says why that size). Apart from the reserve itself
 * because loomd's pre-EAL memory estimate (config/config_tm.c) needs it
 * too, without EAL's allocator.
 */
#include <rte_common.h>
#include <rte_mbuf.h>

#include "loom/tm/block_buddy.h"
#include "tm.h"

/* The smallest frame counted on: Ethernet's minimum (60 bytes and FCS). */
#define TM_RESERVE_MIN_FRAME 64u

unsigned int tm_queue_reserve_levels(uint64_t buffer_bytes)
{
	uint64_t want = buffer_bytes / TM_RESERVE_MIN_FRAME;
	unsigned int levels = 0;

	while (((uint64_t)TM_RESERVE_BLOCK_MIN << levels) < want && levels < LOOM_BUDDY_MAX_LEVELS)
		levels++;
	return levels;
}

uint32_t tm_queue_reserve_entries(uint64_t buffer_bytes)
{
	return (uint32_t)TM_RESERVE_BLOCK_MIN << tm_queue_reserve_levels(buffer_bytes);
}

uint64_t tm_queue_reserve_bytes(uint64_t buffer_bytes)
{
	uint64_t n = tm_queue_reserve_entries(buffer_bytes);

	/* the two arrays and the struct, each rte_malloc'd on a cache line
	 * (the buddy's bitmaps are malloc's, not EAL memory) */
	return RTE_ALIGN_CEIL(n * sizeof(struct rte_mbuf *), RTE_CACHE_LINE_SIZE) +
	       RTE_ALIGN_CEIL(n * sizeof(uint16_t), RTE_CACHE_LINE_SIZE) +
	       RTE_ALIGN_CEIL(sizeof(struct tm_queue_reserve), RTE_CACHE_LINE_SIZE);
}
