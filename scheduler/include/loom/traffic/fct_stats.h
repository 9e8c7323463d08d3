/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow completion time, judged: slowdown = FCT / ideal FCT, where the
 * ideal is the flow alone on an idle fabric at line rate, and its p50/p99
 * per flow-size bucket (the way the congestion-control literature,
 * e.g. HPCC, reports FCTs).
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is
 * the value at rank ceil(p/100 * n) (1-based), so it is always one of the
 * measured values and p100 is the maximum.
 */
#ifndef LOOM_FCT_STATS_H
#define LOOM_FCT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "loom/clock.h"

/* base_ns (propagation and per-hop latency of the path, one way, plus
 * what the caller counts as the fixed part) + wire_bytes * 8 / rate. */
double loom_fct_ideal_ns(uint64_t wire_bytes, uint64_t rate_bps, loom_time_ns base_ns);
/* fct / ideal (not clamped: below 1 means the ideal was wrong). */
double loom_fct_slowdown(loom_time_ns fct_ns, double ideal_ns);

/* Nearest-rank percentile of sorted[0..n-1], 0 < p <= 100; n > 0. */
double loom_percentile_sorted(const double *sorted, size_t n, double p);

struct loom_fct_bucket {
	uint64_t min_bytes, max_bytes; /* flows with min < bytes <= max (the first: 0 <= bytes) */
	size_t n;
	double p50, p99, mean; /* slowdowns; 0 when n = 0 */
};

/* Bucket the flows by size at the ascending `edges` (n_edges of them give
 * n_edges + 1 buckets, the last up to UINT64_MAX) and summarize their
 * slowdowns. Returns 0, -EINVAL (edges not ascending) or -ENOMEM. */
int loom_fct_summarize(const uint64_t *bytes, const double *slowdown, size_t n, const uint64_t *edges,
		       size_t n_edges, struct loom_fct_bucket *out);

#endif
