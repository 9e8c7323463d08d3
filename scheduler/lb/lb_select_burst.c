/* SPDX-License-Identifier: BSD-3-Clause */
/* A policy's choice for a run of packets of one group (loom/lb/lb_policy.h). */
#include "loom/lb/lb_policy.h"

void lb_policy_select_burst(const struct lb_policy *p, void *state, const struct lb_group_view *g,
			    const uint32_t *flow_hash, const uint32_t *len, uint16_t n, loom_time_ns now,
			    uint16_t *members)
{
	if (p->select_burst) {
		p->select_burst(state, g, flow_hash, len, n, now, members);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct lb_pkt pkt = {.flow_hash = flow_hash[i], .len = len[i], .now = now};

		members[i] = p->select(state, g, &pkt);
		if (p->feedback)
			p->feedback(state, g, members[i], &pkt);
	}
}
