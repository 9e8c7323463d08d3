/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PFC watchdog, per (egress port, lossless class), as in SONiC's
 * pfcwd: a queue held by received PAUSE frames without a break for
 * detect_ns is declared *stormed* (a peer that never stops pausing: a
 * stuck NIC, a host that sends PAUSE in a loop). While stormed, PAUSEs
 * for the queue are ignored (the queue sends again) and, with action
 * DROP, its packets are dropped instead of queued. The storm is over when
 * no PAUSE for the queue has arrived for restore_ns: the queue obeys
 * PAUSE again.
 *
 * "Without a break": a pause episode starts with a PAUSE that finds the
 * queue not held and ends when the hold runs out or a RESUME (quanta 0)
 * arrives. A legitimate lossless incast pauses and resumes a queue
 * thousands of times a second (xoff/xon hysteresis, docs/TRAFFIC_MANAGER.md),
 * so its episodes last microseconds to milliseconds; the default limit,
 * 200 ms (SONiC's default detection time), is far above them.
 *
 * Pure logic: time passed in, the caller says whether the queue is held.
 */
#ifndef LOOM_PFC_WATCHDOG_H
#define LOOM_PFC_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

enum loom_pfc_wd_action {
	LOOM_PFC_WD_DROP = 0,   /* ignore PAUSE and drop the queue's new packets (SONiC's default) */
	LOOM_PFC_WD_IGNORE = 1, /* ignore PAUSE, keep forwarding (SONiC's "forward") */
};

#define LOOM_PFC_WD_DEFAULT_DETECT_NS 200000000ull  /* 200 ms */
#define LOOM_PFC_WD_DEFAULT_RESTORE_NS 200000000ull /* 200 ms */

struct loom_pfc_wd_cfg {
	loom_time_ns detect_ns;  /* 0: watchdog off */
	loom_time_ns restore_ns; /* > 0 */
	uint8_t action;          /* enum loom_pfc_wd_action */
};

struct loom_pfc_wd_stats {
	uint64_t storms;         /* storms declared */
	uint64_t restores;       /* storms ended */
	uint64_t pauses_ignored; /* PAUSE frames for the queue ignored while stormed */
	uint64_t drops;          /* packets dropped while stormed (counted by the caller) */
};

struct loom_pfc_wd {
	loom_time_ns paused_since; /* start of the current pause episode; NEVER: none */
	loom_time_ns last_pause;   /* last PAUSE (any quanta) received */
	uint8_t stormed;
	struct loom_pfc_wd_stats st;
};

enum loom_pfc_wd_event {
	LOOM_PFC_WD_NONE = 0,
	LOOM_PFC_WD_STORM = 1,    /* declared stormed now: release the hold */
	LOOM_PFC_WD_RESTORED = 2, /* the storm ended now */
};

void loom_pfc_wd_cfg_default(struct loom_pfc_wd_cfg *cfg);
void loom_pfc_wd_init(struct loom_pfc_wd *w);

/* A PAUSE for the queue arrived at `now` with `quanta` (0: RESUME);
 * held_before: the queue was held just before it. Returns true when the
 * PAUSE is to be obeyed, false when it is ignored (stormed, or the storm
 * is declared by this very PAUSE: *ev says STORM then). */
bool loom_pfc_wd_on_pause(struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg, uint16_t quanta,
			  bool held_before, loom_time_ns now, enum loom_pfc_wd_event *ev);

/* Look at the queue at `now` (held: a PAUSE holds it now): declares or
 * ends a storm. May be called at any time, early or late. */
enum loom_pfc_wd_event loom_pfc_wd_check(struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg, bool held,
					 loom_time_ns now);

/* When loom_pfc_wd_check should next look, given that the current hold
 * ends at held_until: the restore time while stormed; the detection time
 * while a pause episode runs and the hold lasts until then; else NEVER
 * (a new PAUSE re-arms it). */
loom_time_ns loom_pfc_wd_next_check(const struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg,
				    loom_time_ns held_until);

/* Whether the queue's packets are dropped now. */
static inline bool loom_pfc_wd_drops(const struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg)
{
	return w->stormed && cfg->action == LOOM_PFC_WD_DROP;
}

#endif
