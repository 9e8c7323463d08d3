/* SPDX-License-Identifier: BSD-3-Clause */
/* Spray choice over live spine uplinks (loom/cell/cell_spray.h). */
#include <string.h>

#include "loom/cell/cell_spray.h"

void loom_spray_init(struct loom_spray *s, enum loom_spray_mode mode, uint8_t n)
{
	if (n > LOOM_SPRAY_MAX_UPLINKS)
		n = LOOM_SPRAY_MAX_UPLINKS;
	s->mode = (uint8_t)mode;
	s->n = n;
	s->last = n ? (uint8_t)(n - 1) : 0;
	s->live = n == 64 ? ~0ull : (1ull << n) - 1;
}

int loom_spray_pick(struct loom_spray *s, const uint64_t *load)
{
	int best = -1;

	if (s->live == 0)
		return -1;
	for (uint8_t k = 1; k <= s->n; k++) {
		uint8_t i = (uint8_t)((s->last + k) % s->n);

		if (!(s->live & (1ull << i)))
			continue;
		if (s->mode == LOOM_SPRAY_ROUND_ROBIN) {
			best = i;
			break;
		}
		if (best < 0 || load[i] < load[best])
			best = i;
	}
	s->last = (uint8_t)best;
	return best;
}

int loom_spray_mode_parse(const char *name)
{
	if (strcmp(name, "round_robin") == 0)
		return LOOM_SPRAY_ROUND_ROBIN;
	if (strcmp(name, "least_loaded") == 0)
		return LOOM_SPRAY_LEAST_LOADED;
	return -1;
}

const char *loom_spray_mode_name(enum loom_spray_mode m)
{
	return m == LOOM_SPRAY_LEAST_LOADED ? "least_loaded" : "round_robin";
}
