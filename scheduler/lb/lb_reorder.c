/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "loom/lb/lb_reorder.h"

int lb_reorder_init_in(struct lb_reorder *r, uint32_t size, struct lb_reorder_flow *zeroed)
{
	*r = (struct lb_reorder){0};
	if (size == 0 || (size & (size - 1)) != 0 || !zeroed)
		return -1;
	r->flows = zeroed;
	r->mask = size - 1;
	return 0;
}

int lb_reorder_init(struct lb_reorder *r, uint32_t size)
{
	struct lb_reorder_flow *flows = NULL;

	*r = (struct lb_reorder){0};
	if (size == 0 || (size & (size - 1)) != 0)
		return -1;
	flows = calloc(size, sizeof(*flows));
	if (lb_reorder_init_in(r, size, flows) < 0) {
		free(flows);
		return -1;
	}
	r->owned = true;
	return 0;
}

void lb_reorder_free(struct lb_reorder *r)
{
	if (r->owned)
		free(r->flows);
	r->flows = NULL;
	r->owned = false;
}

unsigned int lb_reorder_bucket(uint32_t distance)
{
	unsigned int b = 31u - (unsigned int)__builtin_clz(distance ? distance : 1);

	return b < LB_REORDER_BUCKETS ? b : LB_REORDER_BUCKETS - 1;
}

uint32_t lb_reorder_observe(struct lb_reorder *r, uint32_t flow_hash, uint32_t seq, uint32_t unit,
			    loom_time_ns now)
{
	uint32_t tag = flow_hash ? flow_hash : 1; /* 0 marks a free slot */
	struct lb_reorder_flow *f = &r->flows[tag & r->mask];
	int32_t behind;
	uint32_t distance;

	if (unit == 0)
		return 0;
	r->c.packets++;
	if (f->tag != tag) {
		if (f->tag != 0)
			r->c.evictions++;
		r->c.flows++;
		*f = (struct lb_reorder_flow){.tag = tag, .highest = seq, .last_seen = now, .packets = 1};
		return 0;
	}
	f->packets++;
	if (now - f->last_seen > LB_REORDER_IDLE_NS) {
		r->c.restarts++;
		f->highest = seq;
	}
	f->last_seen = now;
	behind = (int32_t)(f->highest - seq);
	if (behind <= 0) {
		f->highest = seq;
		return 0;
	}
	distance = ((uint32_t)behind + unit - 1) / unit;
	f->out_of_order++;
	r->c.out_of_order++;
	r->c.distance[lb_reorder_bucket(distance)]++;
	return distance;
}
