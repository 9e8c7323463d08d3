/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory that costs only what is written: pieces handed out page-aligned
 * from large anonymous mappings, zero until written, never freed one by
 * one (all at once, with the fabric). The kernel backs a page only when
 * it is first written, so an output queue that never holds more than a
 * few packets costs a page or two, however long its array (a FIFO, a
 * traffic-manager class nobody's DSCP maps to: nothing). rte_zmalloc
 * clears what it hands out, which makes every byte resident at once:
 * 40 KB per port with the traffic manager's eight class queues, 200 MB
 * for a 1024-host fat tree before a packet moved.
 *
 * One process-wide arena per purpose (loomd's memory by purpose reads
 * their resident size with mincore). Not thread-safe: loaded and freed
 * by the thread that loads the configuration.
 */
#ifndef LOOM_PAGE_ARENA_H
#define LOOM_PAGE_ARENA_H

#include <stddef.h>

struct loom_page_chunk;

struct loom_page_arena {
	struct loom_page_chunk *chunks;
	size_t reserved; /* bytes mapped */
};

/* Output queues: FIFOs and the traffic manager's class queues. */
extern struct loom_page_arena loom_queue_arena;
/* Per-port flow tables that hold a few of their slots: the reorder
 * measurement's (1024 flows of 32 bytes per leaf host port). */
extern struct loom_page_arena loom_flow_table_arena;

/* `bytes` of zeroed memory, page-aligned (a multiple of the page size
 * is best: the rest of the last page is left unused). NULL without memory. */
void *loom_page_arena_alloc(struct loom_page_arena *a, size_t bytes);
/* Unmap everything it handed out. */
void loom_page_arena_release(struct loom_page_arena *a);
/* Bytes of it in memory now (pages written). */
size_t loom_page_arena_resident(const struct loom_page_arena *a);

#endif
