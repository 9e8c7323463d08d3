/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adaptive_flow: per packet, the flow's next member in its own round robin
 * (loom/lb/lb_flow_rr.h) unless that member's queue stands more than
 * ADAPTIVE_FLOW_SLACK of this packet above the least queued one (in drain
 * time at each member's rate); then the next one in the flow's order that
 * does not. The flow's round robin goes on after the member taken.
 *
 * Why: `adaptive` takes the least queued member, ties at random. In a
 * fabric at full load the leaves' uplink queues are nearly always empty
 * (issue 23's 16 MB permutation: 0.0 KB), so nearly every packet is a
 * tie and adaptive sprays at random: every source leaf picks spines for a
 * destination leaf independently, the spines' downlinks see random
 * arrivals at full load (40.9 KB a data packet finds there, 36 % marked,
 * 6305 trims) and the flows run at 91 Gb/s. Ties broken in each flow's
 * round robin spread every flow evenly over the spines (as spray_flow);
 * the slack keeps queues that come and go by a packet or two from herding
 * flows onto whichever member is empty this instant, which breaks that
 * evenness downstream (slack of one packet: 1.065 x ideal, 33 KB on the
 * spine downlinks; four: 1.045, 3 KB, as spray_flow). A member that stands
 * four packets above the others (a slower or faulted link, a hot spot)
 * is left until it drains. Like adaptive, it sees only this switch's
 * queues.
 */
#include <stdlib.h>

#include "loom/lb/lb_flow_rr.h"
#include "loom/lb/lb_policy.h"

#define ADAPTIVE_FLOW_MAX 256  /* members compared on the stack; wider groups: the first 256 */
#define ADAPTIVE_FLOW_SLACK 4.0 /* packets of this one's length a queue may stand above the least */

static void *adaptive_flow_init(const struct lb_group_view *g, const struct lb_params *p)
{
	(void)g;
	(void)p;
	return lb_flow_rr_new();
}

static uint16_t adaptive_flow_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct lb_flow_rr *t = state;
	uint16_t n = g->n_members < ADAPTIVE_FLOW_MAX ? g->n_members : ADAPTIVE_FLOW_MAX;
	uint16_t *e = lb_flow_rr_entry(t, pkt->flow_hash);
	uint16_t m = lb_flow_rr_peek(t, e, n);
	double cost[ADAPTIVE_FLOW_MAX], least = 0;

	for (uint16_t i = 0; i < n; i++) {
		cost[i] = lb_member_queue_cost(g, i);
		if (i == 0 || cost[i] < least)
			least = cost[i];
	}
	/* from the flow's next member on, the first within the slack of the
	 * least (the least itself qualifies, so the walk ends) */
	for (uint16_t k = 0; k < n; k++) {
		uint64_t rate = g->members[m].rate_bps ? g->members[m].rate_bps : 10000000000ull;

		if (cost[m] <= least + ADAPTIVE_FLOW_SLACK * (double)pkt->len * 8e9 / (double)rate)
			break;
		m = (uint16_t)(m + 1 == n ? 0 : m + 1);
	}
	lb_flow_rr_took(e, m, n);
	return m;
}

const struct lb_policy lb_policy_adaptive_flow = {
	.name = "adaptive_flow",
	.summary = "per packet: the flow's next member in its round robin, skipping queues a packet above the least",
	.init = adaptive_flow_init,
	.fini = free,
	.select = adaptive_flow_select,
};
