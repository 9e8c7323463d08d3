/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A round robin per flow over a group's members (spray_flow, adaptive_flow:
 * scheduler/lb/lb_spray_flow.c, lb_adaptive_flow.c). Flows are told apart
 * by their flow hash in a table of LB_FLOW_RR_ENTRIES; two flows in one
 * entry share its round robin. A flow first seen starts at the group's next
 * start, so flows that start together start on different members instead
 * of lining up on member 0.
 */
#ifndef LOOM_LB_FLOW_RR_H
#define LOOM_LB_FLOW_RR_H

#include <stdint.h>
#include <stdlib.h>

#define LB_FLOW_RR_ENTRIES 4096 /* a power of two: 8 KB a group */
#define LB_FLOW_RR_UNSEEN UINT16_MAX

struct lb_flow_rr {
	uint16_t next_start;                 /* where the next flow first seen starts */
	uint16_t next[LB_FLOW_RR_ENTRIES];   /* each entry's next member, or UNSEEN */
};

static inline struct lb_flow_rr *lb_flow_rr_new(void)
{
	struct lb_flow_rr *t = malloc(sizeof(*t));

	if (!t)
		return NULL;
	t->next_start = 0;
	for (uint32_t i = 0; i < LB_FLOW_RR_ENTRIES; i++)
		t->next[i] = LB_FLOW_RR_UNSEEN;
	return t;
}

/* The flow's entry. */
static inline uint16_t *lb_flow_rr_entry(struct lb_flow_rr *t, uint32_t flow_hash)
{
	return &t->next[flow_hash & (LB_FLOW_RR_ENTRIES - 1)];
}

/* The member the flow's round robin is at (its start when first seen, or
 * after its group shrank below it), without moving on. */
static inline uint16_t lb_flow_rr_peek(struct lb_flow_rr *t, const uint16_t *e, uint16_t n_members)
{
	uint16_t m = *e;

	if (m < n_members)
		return m;
	m = t->next_start < n_members ? t->next_start : 0;
	t->next_start = (uint16_t)(m + 1 == n_members ? 0 : m + 1);
	return m;
}

/* The flow took member m: its round robin goes on after it. */
static inline void lb_flow_rr_took(uint16_t *e, uint16_t m, uint16_t n_members)
{
	*e = (uint16_t)(m + 1 == n_members ? 0 : m + 1);
}

#endif
