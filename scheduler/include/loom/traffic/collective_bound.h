/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How fast a collective could complete: the bandwidth bound of the
 * pattern as the workload generators produce it (workload.h), on hosts
 * whose links carry `rate_bps` each way and a fabric that is not the
 * bottleneck (use the max-min rates, maxmin.h, when it is). Latency is
 * not included; compare with the measured completion (last flow's end
 * minus first flow's start) as bound / measured, in (0, 1].
 *
 *  ring all-reduce, k ranks, M bytes per rank: each rank sends and
 *	receives 2(k-1) chunks of M/k: 2 (k-1)/k * 8M / rate (also the
 *	lower bound for any all-reduce algorithm, Patarasuk & Yuan 2009);
 *  ring all-gather, M gathered bytes per rank: (k-1)/k * 8M / rate;
 *  broadcast (flat: the root sends M to each of k-1): (k-1) * 8M / rate;
 *  all-to-all, M bytes per pair: (k-1) * 8M / rate.
 */
#ifndef LOOM_COLLECTIVE_BOUND_H
#define LOOM_COLLECTIVE_BOUND_H

#include <stddef.h>
#include <stdint.h>

#include "loom/clock.h"

enum loom_collective_kind {
	LOOM_COLL_RING_ALLREDUCE = 0,
	LOOM_COLL_RING_ALLGATHER = 1,
	LOOM_COLL_BROADCAST = 2,
	LOOM_COLL_ALL_TO_ALL = 3,
};

/* ns; 0 when k < 2 or rate is 0. */
double loom_collective_bound_ns(enum loom_collective_kind kind, uint32_t k, uint64_t bytes, uint64_t rate_bps);

/* Completion of a group: max(end) - min(start) over its n flows. */
loom_time_ns loom_group_completion_ns(const loom_time_ns *start, const loom_time_ns *end, size_t n);

#endif
