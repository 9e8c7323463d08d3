/* SPDX-License-Identifier: BSD-3-Clause */
/* Reassembly of one VOQ's cells (loom/cell/cell_reasm.h). */
#include <stdlib.h>

#include "loom/cell/cell.h"
#include "loom/cell/cell_reasm.h"

int loom_reasm_init(struct loom_reasm *r, uint32_t window, loom_time_ns timeout_ns, loom_reasm_deliver_fn deliver,
		    loom_reasm_discard_fn discard, void *ctx)
{
	*r = (struct loom_reasm){0};
	if (window < LOOM_REASM_MAX_CELLS || (window & (window - 1)) != 0)
		return -1;
	r->slots = calloc(window, sizeof(*r->slots));
	if (r->slots == NULL)
		return -1;
	r->window = window;
	r->timeout_ns = timeout_ns;
	r->deliver = deliver;
	r->discard = discard;
	r->ctx = ctx;
	return 0;
}

void loom_reasm_free(struct loom_reasm *r)
{
	for (uint32_t i = 0; r->slots && i < r->window; i++)
		if (r->slots[i].cell)
			r->discard(r->ctx, r->slots[i].cell);
	free(r->slots);
	r->slots = NULL;
	r->held = 0;
}

static inline struct loom_reasm_slot *slot(struct loom_reasm *r, uint32_t seq)
{
	return &r->slots[seq & (r->window - 1)];
}

/* Free the held cell at next_seq and move past it. */
static void drop_head(struct loom_reasm *r)
{
	struct loom_reasm_slot *s = slot(r, r->next_seq);

	r->discard(r->ctx, s->cell);
	s->cell = NULL;
	r->held--;
	r->st.freed_cells++;
	r->next_seq++;
}

/* Deliver every complete packet at the head of the window. Returns true
 * when the head moved. */
static bool drain(struct loom_reasm *r)
{
	bool moved = false;

	while (r->held > 0) {
		struct loom_reasm_slot *s = slot(r, r->next_seq);
		uint32_t n = 0;

		if (s->cell == NULL)
			break;
		if (!(s->flags & LOOM_CELL_FIRST)) {
			/* the rest of a packet whose head was given up */
			r->st.bad_packets++;
			drop_head(r);
			moved = true;
			continue;
		}
		/* find first..last, all present */
		bool complete = false, broken = false;
		while (n < LOOM_REASM_MAX_CELLS) {
			struct loom_reasm_slot *c = slot(r, r->next_seq + n);

			if (c->cell == NULL)
				break;
			if (n > 0 && (c->flags & LOOM_CELL_FIRST)) {
				broken = true; /* a new packet before this one's last cell */
				break;
			}
			n++;
			if (c->flags & LOOM_CELL_LAST) {
				complete = true;
				break;
			}
		}
		if (broken || (!complete && n == LOOM_REASM_MAX_CELLS)) {
			r->st.bad_packets++;
			for (uint32_t i = 0; i < n; i++)
				drop_head(r);
			moved = true;
			continue;
		}
		if (!complete)
			break;
		void *cells[LOOM_REASM_MAX_CELLS];
		uint16_t lens[LOOM_REASM_MAX_CELLS];
		for (uint32_t i = 0; i < n; i++) {
			struct loom_reasm_slot *c = slot(r, r->next_seq + i);

			cells[i] = c->cell;
			lens[i] = c->len;
			c->cell = NULL;
		}
		r->held -= n;
		r->next_seq += n;
		r->st.pkts_out++;
		r->st.cells_out += n;
		moved = true;
		r->deliver(r->ctx, cells, lens, n);
	}
	return moved;
}

bool loom_reasm_add(struct loom_reasm *r, uint32_t seq, uint8_t flags, uint16_t len, void *cell, loom_time_ns now)
{
	uint32_t ahead = seq - r->next_seq; /* modular: "before" wraps to huge */

	if (ahead >= 0x80000000u) {
		r->st.late++;
		return false;
	}
	if (ahead >= r->window) {
		r->st.beyond_window++;
		return false;
	}
	struct loom_reasm_slot *s = slot(r, seq);
	if (s->cell != NULL) {
		r->st.late++; /* a duplicate */
		return false;
	}
	if (ahead > r->st.reorder_max)
		r->st.reorder_max = ahead;
	s->arrived = now;
	s->cell = cell;
	s->len = len;
	s->flags = flags;
	r->held++;
	r->st.cells_in++;
	drain(r);
	return true;
}

/* The first held cell from the head of the window on. */
static const struct loom_reasm_slot *first_held(const struct loom_reasm *r)
{
	for (uint32_t i = 0; i < r->window; i++) {
		const struct loom_reasm_slot *s = &r->slots[(r->next_seq + i) & (r->window - 1)];

		if (s->cell != NULL)
			return s;
	}
	return NULL;
}

loom_time_ns loom_reasm_deadline(const struct loom_reasm *r)
{
	return r->held ? first_held(r)->arrived + r->timeout_ns : LOOM_TIME_NEVER;
}

loom_time_ns loom_reasm_run_timer(struct loom_reasm *r, loom_time_ns now)
{
	while (r->held > 0 && now >= loom_reasm_deadline(r)) {
		/* Give up the gap: free the held cells of a head packet that
		 * lost a cell (a head that is not a FIRST is freed by drain),
		 * skip the missing sequence numbers up to the next held cell,
		 * then deliver what follows. */
		r->st.timeouts++;
		struct loom_reasm_slot *s = slot(r, r->next_seq);
		if (s->cell != NULL) {
			do {
				drop_head(r);
				s = slot(r, r->next_seq);
			} while (s->cell != NULL && !(s->flags & LOOM_CELL_FIRST));
		}
		while (r->held > 0 && slot(r, r->next_seq)->cell == NULL) {
			r->st.lost_cells++;
			r->next_seq++;
		}
		drain(r);
	}
	return loom_reasm_deadline(r);
}
