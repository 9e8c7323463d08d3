/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the cell fabric's receive side (scheduler/cell/), driven by
 * cell headers off the wire. The input is a sequence of 18-byte records:
 * a 16-byte cell header (loom_cell_decode, as a leaf reads it) and a
 * 2-byte time step. DATA cells go to one VOQ's reassembly
 * (cell_reasm.c), REQUESTs and CREDITs to an egress port's credit
 * scheduler (credit_sched.c), whose credits are drawn as they fall due.
 * Checked: a decoded header encodes back to the same header; every cell
 * is delivered, discarded or still held, exactly once (ASan sees a double
 * free, LeakSanitizer a lost one); delivered packets are first..last runs
 * whose lengths are the cells'; credits go only to VOQs on the round
 * (that asked and were not yet served), and never more than they asked
 * for, each request rounded up to whole credits (the ingress keeps the
 * excess as balance: cell_ingress.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/cell/cell.h"
#include "loom/cell/cell_reasm.h"
#include "loom/cell/credit_sched.h"

#define PAYLOAD 256
#define N_VOQS 8
#define CREDIT_BYTES 4096

struct cell {
	uint16_t len;
	uint8_t flags;
};

struct rig {
	uint64_t delivered_cells, discarded_cells;
};

static void deliver(void *ctx, void **cells, const uint16_t *lens, uint32_t n)
{
	struct rig *r = ctx;

	if (n == 0 || !(((struct cell *)cells[0])->flags & LOOM_CELL_FIRST) ||
	    !(((struct cell *)cells[n - 1])->flags & LOOM_CELL_LAST)) {
		fprintf(stderr, "delivered a run of %u cells that is not first..last\n", n);
		abort();
	}
	for (uint32_t i = 0; i < n; i++) {
		struct cell *c = cells[i];

		if (c->len != lens[i] || (i > 0 && (c->flags & LOOM_CELL_FIRST)) || (i + 1 < n && (c->flags & LOOM_CELL_LAST)))
			abort();
		free(c);
	}
	r->delivered_cells += n;
}

static void discard(void *ctx, void *cell)
{
	((struct rig *)ctx)->discarded_cells++;
	free(cell);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig rig = {0};
	struct loom_reasm reasm;
	struct loom_credit_sched cs;
	loom_time_ns now = 1000;
	uint64_t taken = 0, refused = 0, requests[N_VOQS] = {0};

	if (loom_reasm_init(&reasm, 256, 50000, deliver, discard, &rig) < 0 ||
	    loom_credit_init(&cs, 100000000000ull, CREDIT_BYTES, N_VOQS, now) < 0)
		abort();
	for (size_t off = 0; off + LOOM_CELL_HDR_LEN + 2 <= size; off += LOOM_CELL_HDR_LEN + 2) {
		struct loom_cell_hdr h, back;
		uint8_t enc[LOOM_CELL_HDR_LEN];
		uint32_t v;

		now += (loom_time_ns)(data[off + LOOM_CELL_HDR_LEN] | data[off + LOOM_CELL_HDR_LEN + 1] << 8);
		if (!loom_cell_decode(data + off, &h, PAYLOAD))
			continue;
		loom_cell_encode(&h, enc);
		if (!loom_cell_decode(enc, &back, PAYLOAD) || h.type != back.type || h.flags != back.flags ||
		    h.src_leaf != back.src_leaf || h.dst_leaf != back.dst_leaf || h.dst_port != back.dst_port ||
		    h.cls != back.cls || h.seq_or_bytes != back.seq_or_bytes || h.len != back.len) {
			fprintf(stderr, "a decoded cell header does not encode back to itself\n");
			abort();
		}
		if (h.type == LOOM_CELL_DATA) {
			struct cell *c = malloc(sizeof(*c));

			if (!c)
				abort();
			c->len = h.len;
			c->flags = h.flags;
			if (loom_reasm_add(&reasm, h.seq_or_bytes, h.flags, h.len, c, now)) {
				taken++;
			} else {
				refused++;
				free(c);
			}
		} else if (h.type == LOOM_CELL_REQUEST) {
			if (h.seq_or_bytes > 0)
				requests[h.dst_port % N_VOQS]++;
			loom_credit_request(&cs, h.dst_port % N_VOQS, 1u + h.cls % 4, h.seq_or_bytes, now);
		} else if (h.flags & 1) {
			(void)loom_credit_skip(&cs, now);
		}
		for (;;) {
			bool active[N_VOQS];

			for (uint32_t i = 0; i < N_VOQS; i++)
				active[i] = cs.voq[i].active;
			if (!loom_credit_next(&cs, now, &v))
				break;
			if (v >= N_VOQS || !active[v]) {
				fprintf(stderr, "credit to VOQ %u, which is not on the round\n", v);
				abort();
			}
			if (cs.voq[v].granted > cs.voq[v].requested + requests[v] * CREDIT_BYTES) {
				fprintf(stderr, "credit to VOQ %u beyond what it asked\n", v);
				abort();
			}
		}
		(void)loom_reasm_run_timer(&reasm, now);
		/* every cell taken is delivered, discarded or held */
		if (taken != rig.delivered_cells + rig.discarded_cells + reasm.held) {
			fprintf(stderr, "cells: %llu taken, %llu delivered, %llu discarded, %u held\n",
				(unsigned long long)taken, (unsigned long long)rig.delivered_cells,
				(unsigned long long)rig.discarded_cells, reasm.held);
			abort();
		}
	}
	(void)refused;
	loom_reasm_free(&reasm);
	if (taken != rig.delivered_cells + rig.discarded_cells)
		abort();
	loom_credit_free(&cs);
	return 0;
}
