/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Storage a real-time switch's lossless queues grow into, made at set-up
 * (tm.h: struct tm_queue_reserve). A lossless class has no packet limit
 * of its own, so its queue outgrows the TM_PORT_PKTS entries every class
 * starts with; in real time the worker must not allocate (rte_malloc locks
 * the heap and may map memory: a stall of the packet loop), so a queue
 * takes a power-of-two block of entries from its switch's reserve instead
 * (loom/tm/block_buddy.h), and gives it back when it empties.
 *
 * Sizing (tm_queue_reserve_size.c): every lossless packet of a switch sits in its shared buffer
 * (tm_enqueue.c drops one that does not fit, lossless_drop), so the
 * switch never holds more than buffer / TM_RESERVE_MIN_FRAME of them; the
 * reserve has that many entries, rounded up to a power of two. A queue of
 * c packets holds a block below 2c, and blocks are aligned, so several
 * queues grown at once with minimum-size frames can find it exhausted
 * before the buffer is full: the packet is then dropped and counted
 * (lossless_drop, and the reserve's `refused`), never queued unbounded.
 *
 * `tm set buffer` resizes it: the control thread makes a reserve for the
 * new size, the worker moves the grown queues into it
 * (tm_queue_reserve_move), and the control thread frees the old one.
 *
 * Virtual time has no reserve (ts->reserve NULL): its queues grow on the
 * heap as before, since a virtual run has no clock to fall behind and its
 * memory is bounded by its packet pool's cap (runner/vt_pool.h).
 */
#include <rte_malloc.h>

#include "switch.h"
#include "tm.h"

struct tm_queue_reserve *tm_queue_reserve_create(uint64_t buffer_bytes)
{
	unsigned int levels = tm_queue_reserve_levels(buffer_bytes);
	struct tm_queue_reserve *r;

	r = rte_zmalloc("loom_tm_reserve", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (!r)
		return NULL;
	r->entries = (uint32_t)TM_RESERVE_BLOCK_MIN << levels;
	r->pkts = rte_malloc("loom_tm_reserve_pkts", sizeof(*r->pkts) * r->entries, RTE_CACHE_LINE_SIZE);
	r->lens = rte_malloc("loom_tm_reserve_lens", sizeof(*r->lens) * r->entries, RTE_CACHE_LINE_SIZE);
	if (!r->pkts || !r->lens || loom_buddy_init(&r->buddy, levels) < 0) {
		tm_queue_reserve_free(r);
		return NULL;
	}
	return r;
}

void tm_queue_reserve_free(struct tm_queue_reserve *r)
{
	if (!r)
		return;
	loom_buddy_fini(&r->buddy);
	rte_free(r->pkts);
	rte_free(r->lens);
	rte_free(r);
}

/* log2(n / TM_RESERVE_BLOCK_MIN) for a power of two n >= it */
static unsigned int block_level(uint32_t n)
{
	return (unsigned int)(__builtin_ctz(n) - __builtin_ctz(TM_RESERVE_BLOCK_MIN));
}

int tm_queue_reserve_grow(struct tm_queue_reserve *r, struct tm_queue *q)
{
	uint32_t n = q->mask + 1;
	int64_t unit;
	struct rte_mbuf **pkts;
	uint16_t *lens;

	if (2 * n < TM_RESERVE_BLOCK_MIN || (unit = loom_buddy_alloc(&r->buddy, block_level(2 * n))) < 0) {
		r->refused++;
		return -1;
	}
	pkts = r->pkts + (uint64_t)unit * TM_RESERVE_BLOCK_MIN;
	lens = r->lens + (uint64_t)unit * TM_RESERVE_BLOCK_MIN;
	for (uint32_t i = 0; i < q->count; i++) {
		pkts[i] = q->pkts[(q->head + i) & q->mask];
		lens[i] = q->lens[(q->head + i) & q->mask];
	}
	/* the block it outgrew back to the reserve (the first arrays are the
	 * port's own, in loom_queue_arena: they stay for when it empties) */
	if (n > TM_PORT_PKTS) {
		loom_buddy_release(&r->buddy, (uint32_t)((q->pkts - r->pkts) / TM_RESERVE_BLOCK_MIN), block_level(n));
		r->in_use -= n;
	}
	r->in_use += 2 * n;
	if (r->in_use > r->peak)
		r->peak = r->in_use;
	r->grows++;
	q->pkts = pkts;
	q->lens = lens;
	q->head = 0;
	q->mask = 2 * n - 1;
	q->st.grows++;
	return 0;
}

void tm_queue_reserve_shrink(struct tm_queue_reserve *r, struct tm_queue *q)
{
	uint32_t n = q->mask + 1;

	loom_buddy_release(&r->buddy, (uint32_t)((q->pkts - r->pkts) / TM_RESERVE_BLOCK_MIN), block_level(n));
	r->in_use -= n;
	q->pkts = q->pkts_first;
	q->lens = q->lens_first;
	q->head = 0;
	q->mask = TM_PORT_PKTS - 1;
}

/* q holds a block of the reserve (not its first arrays, not the heap) */
static inline bool grown_from_reserve(const struct tm_queue *q)
{
	return q->mask >= TM_PORT_PKTS && !q->heap;
}

/*
 * `tm set buffer` on a switch with a reserve: the control thread made `to`
 * for the new size; here, on the worker, every queue holding a block of
 * the old reserve moves to a block of the same size in `to`, its packets
 * copied in order (at most the switch's queued lossless packets: a copy
 * bounded by the old buffer / 64 B, once, between bursts). Blocks are
 * placed largest first into an empty buddy, so they fit whenever their
 * sum does; when it does not (the buffer shrunk below what is queued),
 * nothing moves and -1 tells the caller to refuse the change.
 */
int tm_queue_reserve_move(struct loom_switch *sw, struct tm_queue_reserve *to, uint64_t *in_use)
{
	struct tm_queue_reserve *from = sw->tm->reserve;
	uint64_t sum = 0;

	for (uint16_t i = 0; i < sw->n_ports; i++)
		for (int c = 0; sw->ports[i].tm && c < LOOM_TM_CLASSES; c++)
			if (grown_from_reserve(&sw->ports[i].tm->q[c]))
				sum += sw->ports[i].tm->q[c].mask + 1;
	*in_use = sum;
	if (sum > to->entries)
		return -1;
	for (int k = (int)to->buddy.levels; k >= 0; k--) {
		for (uint16_t i = 0; i < sw->n_ports; i++) {
			for (int c = 0; sw->ports[i].tm && c < LOOM_TM_CLASSES; c++) {
				struct tm_queue *q = &sw->ports[i].tm->q[c];
				uint32_t n = q->mask + 1;
				uint64_t at;

				if (!grown_from_reserve(q) || block_level(n) != (unsigned int)k)
					continue;
				/* cannot fail: blocks placed largest first */
				at = (uint64_t)loom_buddy_alloc(&to->buddy, (unsigned int)k) * TM_RESERVE_BLOCK_MIN;
				for (uint32_t e = 0; e < q->count; e++) {
					to->pkts[at + e] = q->pkts[(q->head + e) & q->mask];
					to->lens[at + e] = q->lens[(q->head + e) & q->mask];
				}
				q->pkts = to->pkts + at;
				q->lens = to->lens + at;
				q->head = 0;
			}
		}
	}
	/* the switch's counters go on across the change */
	to->in_use = sum;
	to->peak = from && from->peak > sum ? from->peak : sum;
	to->grows = from ? from->grows : 0;
	to->refused = from ? from->refused : 0;
	sw->tm->reserve = to;
	return 0;
}
