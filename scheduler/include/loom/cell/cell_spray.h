/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which spine uplink a leaf sends its next cell on: round robin over the
 * live uplinks, or the live uplink with the fewest bytes queued (ties:
 * round-robin order from the last pick, so that equal loads still spread).
 * Uplinks are numbered 0..n-1 by the caller; `live` is a bit mask, so that
 * taking a link down (control plane, or cell-loss detection) is one bit.
 */
#ifndef LOOM_CELL_SPRAY_H
#define LOOM_CELL_SPRAY_H

#include <stdint.h>

#define LOOM_SPRAY_MAX_UPLINKS 64

enum loom_spray_mode {
	LOOM_SPRAY_ROUND_ROBIN = 0,
	LOOM_SPRAY_LEAST_LOADED = 1,
};

struct loom_spray {
	uint8_t mode;     /* enum loom_spray_mode */
	uint8_t n;        /* uplinks */
	uint8_t last;     /* last pick */
	uint64_t live;    /* bit i: uplink i may carry cells */
};

void loom_spray_init(struct loom_spray *s, enum loom_spray_mode mode, uint8_t n);
static inline void loom_spray_set_live(struct loom_spray *s, uint8_t i, int up)
{
	if (up)
		s->live |= 1ull << i;
	else
		s->live &= ~(1ull << i);
}
/* The uplink for the next cell; `load[i]` = bytes queued on uplink i
 * (read in least-loaded mode only). -1 when no uplink is live. */
int loom_spray_pick(struct loom_spray *s, const uint64_t *load);
/* "round_robin" / "least_loaded" -> mode; -1 unknown. */
int loom_spray_mode_parse(const char *name);
const char *loom_spray_mode_name(enum loom_spray_mode m);

#endif
