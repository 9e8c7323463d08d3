/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly of one VOQ's cells at the egress leaf: cells arrive out of
 * order (sprayed over several spines), carry consecutive sequence numbers
 * per VOQ, and are held in a window indexed by sequence until the cells
 * of the next packet, first to last, are all there; then the packet is
 * handed over whole and in order. A gap that lasts `timeout_ns` (a lost
 * cell) is given up: the missing sequence numbers are counted lost, the
 * held cells of the broken packet are freed and counted, and reassembly
 * goes on with the next packet that starts after the gap.
 *
 * The context holds no payloads itself, only the caller's handles (an
 * mbuf in loomd, a buffer in tests): `deliver` gets a packet's handles in
 * order and owns them; `discard` gets handles it must free.
 *
 * The timeout runs from the arrival of the first held cell after the gap
 * (the oldest one the gap holds up, as cells mostly arrive in sequence),
 * so that gaps following each other are given up one after the other,
 * each when its own cells have waited `timeout_ns`, not one timeout after
 * the previous gap.
 */
#ifndef LOOM_CELL_REASM_H
#define LOOM_CELL_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

#define LOOM_REASM_MAX_CELLS 160 /* cells of one packet: 9216 B in 64-B cells is 144 */

struct loom_reasm_slot {
	void *cell;    /* NULL: not arrived */
	uint16_t len;
	uint8_t flags; /* LOOM_CELL_FIRST / LAST */
	loom_time_ns arrived;
};

struct loom_reasm_stats {
	uint64_t cells_in;       /* accepted into the window */
	uint64_t pkts_out;       /* delivered whole */
	uint64_t cells_out;      /* in delivered packets */
	uint64_t late;           /* sequence already passed (duplicate or after a timeout): discarded */
	uint64_t beyond_window;  /* too far ahead of the window: discarded */
	uint64_t timeouts;       /* gaps given up */
	uint64_t lost_cells;     /* sequence numbers never seen when a gap was given up */
	uint64_t freed_cells;    /* held cells of broken packets freed */
	uint64_t bad_packets;    /* cell runs without a first..last shape (freed) */
	uint32_t reorder_max;    /* largest (seq - expected) seen: reorder depth */
};

typedef void (*loom_reasm_deliver_fn)(void *ctx, void **cells, const uint16_t *lens, uint32_t n);
typedef void (*loom_reasm_discard_fn)(void *ctx, void *cell);

struct loom_reasm {
	uint32_t window;         /* slots, a power of two */
	struct loom_reasm_slot *slots;
	uint32_t next_seq;       /* first sequence not yet delivered or given up */
	uint32_t held;           /* cells in the window */
	loom_time_ns timeout_ns;
	loom_reasm_deliver_fn deliver;
	loom_reasm_discard_fn discard;
	void *ctx;
	struct loom_reasm_stats st;
};

/* 0, or -1 (window not a power of two >= LOOM_REASM_MAX_CELLS, no memory). */
int loom_reasm_init(struct loom_reasm *r, uint32_t window, loom_time_ns timeout_ns, loom_reasm_deliver_fn deliver,
		    loom_reasm_discard_fn discard, void *ctx);
/* Frees the held cells (discard) and the window. */
void loom_reasm_free(struct loom_reasm *r);

/* A DATA cell arrived at `now`. Returns true when it was taken (held or
 * delivered); false when the caller must free it (late or beyond the
 * window, counted). Packets it completes are delivered before it returns. */
bool loom_reasm_add(struct loom_reasm *r, uint32_t seq, uint8_t flags, uint16_t len, void *cell, loom_time_ns now);

/* Give up a gap older than the timeout; returns when to call again
 * (LOOM_TIME_NEVER when nothing is held). */
loom_time_ns loom_reasm_run_timer(struct loom_reasm *r, loom_time_ns now);

/* Deadline of the current gap, LOOM_TIME_NEVER when nothing is held. */
loom_time_ns loom_reasm_deadline(const struct loom_reasm *r);

#endif
