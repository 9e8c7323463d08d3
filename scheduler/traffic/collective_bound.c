/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/traffic/collective_bound.h"

double loom_collective_bound_ns(enum loom_collective_kind kind, uint32_t k, uint64_t bytes, uint64_t rate_bps)
{
	double t = (double)bytes * 8.0 * 1e9 / (double)rate_bps; /* M at line rate */

	if (k < 2 || rate_bps == 0)
		return 0;
	switch (kind) {
	case LOOM_COLL_RING_ALLREDUCE:
		return 2.0 * (k - 1) / k * t;
	case LOOM_COLL_RING_ALLGATHER:
		return (double)(k - 1) / k * t;
	case LOOM_COLL_BROADCAST:
	case LOOM_COLL_ALL_TO_ALL:
		return (double)(k - 1) * t;
	}
	return 0;
}

loom_time_ns loom_group_completion_ns(const loom_time_ns *start, const loom_time_ns *end, size_t n)
{
	loom_time_ns first = LOOM_TIME_NEVER, last = 0;

	for (size_t i = 0; i < n; i++) {
		if (start[i] < first)
			first = start[i];
		if (end[i] > last)
			last = end[i];
	}
	return n && last > first ? last - first : 0;
}
