/* SPDX-License-Identifier: BSD-3-Clause */
/* REPS in generator hosts (see gen_reps.h). */
#include <stdlib.h>

#include <rte_byteorder.h>

#include "gen_reps.h"
#include "gen_state.h"
#include "gen_transport.h"

int loom_gen_reps_config(struct loom_gen_tx_flow *f, bool trimming)
{
	/* its own allocation: REPS's state (~260 bytes) only in the flows
	 * that use it, not in every flow of a large fabric */
	if (!f->reps && !(f->reps = calloc(1, sizeof(*f->reps))))
		return -1;
	loom_reps_default(&f->reps->cfg, LOOM_GEN_ENTROPY_PORT_SPAN);
	if (!trimming)
		f->reps->cfg.freeze_ns = 0;
	return 0;
}

void loom_gen_reps_start(const struct loom_gen_host *h, struct loom_gen_tx_flow *f)
{
	struct loom_gen_reps *g = f->reps;
	/* the host's seeded state (independent per host and seed) mixed with
	 * the flow's id, so two flows of a host explore differently */
	uint64_t seed = h->rng ^ (0x9e3779b97f4a7c15ull * (f->spec.id + 1ull));

	loom_reps_init(&g->r, seed);
	g->timeouts_seen = g->ev_invalid = 0;
}

uint16_t loom_gen_reps_src_port(struct loom_gen_tx_flow *f, loom_time_ns now)
{
	struct loom_gen_reps *g = f->reps;

	if (f->spec.recovery) {
		uint64_t t = loom_gen_tp_stats(f)->timeouts;

		if (t > g->timeouts_seen) { /* the timer fired since the last packet */
			g->timeouts_seen = t;
			loom_reps_on_timeout(&g->r, &g->cfg, now);
		}
	}
	return (uint16_t)(LOOM_GEN_ENTROPY_PORT_BASE + loom_reps_next(&g->r, &g->cfg, now));
}

/* An ACK's port came back (marked: its packet was CE-marked). */
static void on_port_acked(struct loom_gen_tx_flow *f, uint16_t port, bool ce, loom_time_ns now)
{
	struct loom_gen_reps *g = f->reps;

	if (port < LOOM_GEN_ENTROPY_PORT_BASE) {
		g->ev_invalid++;
		return;
	}
	loom_reps_on_ack(&g->r, &g->cfg, (uint16_t)(port - LOOM_GEN_ENTROPY_PORT_BASE), ce, now);
}

void loom_gen_reps_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb,
			       const struct loom_gen_ev_echo *evs, loom_time_ns now)
{
	struct loom_gen_reps *g = f->reps;
	uint16_t port = rte_be_to_cpu_16(fb->ev);
	uint16_t ev;

	if (fb->kind != LOOM_GEN_FB_ACK && fb->kind != LOOM_GEN_FB_TP_ACK && fb->kind != LOOM_GEN_FB_TP_NAK)
		return; /* a CNP echoes no packet */
	if (evs && fb->kind != LOOM_GEN_FB_TP_NAK) {
		/* a coalesced ACK: every packet's port, oldest first, with its own mark */
		for (unsigned int i = 0; i < evs->n; i++)
			on_port_acked(f, evs->ev[i], evs->ce & (1u << i), now);
		return;
	}
	if (port < LOOM_GEN_ENTROPY_PORT_BASE) {
		g->ev_invalid++;
		return;
	}
	ev = (uint16_t)(port - LOOM_GEN_ENTROPY_PORT_BASE);
	if (fb->kind == LOOM_GEN_FB_TP_NAK)
		loom_reps_on_nack(&g->r, &g->cfg, ev, now);
	else
		on_port_acked(f, port, fb->ece != 0, now);
}

json_t *loom_gen_reps_json(const struct loom_gen_tx_flow *f)
{
	const struct loom_reps_stats *s = &f->reps->r.st;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "recycled", (json_int_t)s->recycled,
			 "explored", (json_int_t)s->explored, "frozen_sends", (json_int_t)s->frozen_sends, "good",
			 (json_int_t)s->good, "marked", (json_int_t)s->marked, "forgiven",
			 (json_int_t)s->forgiven, "nacked", (json_int_t)s->nacked, "freezes",
			 (json_int_t)s->freezes, "ev_invalid", (json_int_t)f->reps->ev_invalid);
}
