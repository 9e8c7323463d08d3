/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "loom/traffic/fct_stats.h"

double loom_fct_ideal_ns(uint64_t wire_bytes, uint64_t rate_bps, loom_time_ns base_ns)
{
	return (double)base_ns + (double)wire_bytes * 8.0 * 1e9 / (double)rate_bps;
}

double loom_fct_slowdown(loom_time_ns fct_ns, double ideal_ns)
{
	return (double)fct_ns / ideal_ns;
}

double loom_percentile_sorted(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int loom_fct_summarize(const uint64_t *bytes, const double *slowdown, size_t n, const uint64_t *edges,
		       size_t n_edges, struct loom_fct_bucket *out)
{
	double *v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t e = 1; e < n_edges; e++)
		if (edges[e] <= edges[e - 1]) {
			free(v);
			return -EINVAL;
		}
	for (size_t b = 0; b <= n_edges; b++) {
		uint64_t lo = b ? edges[b - 1] : 0, hi = b < n_edges ? edges[b] : UINT64_MAX;
		double sum = 0;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if ((b == 0 ? bytes[i] >= lo : bytes[i] > lo) && bytes[i] <= hi) {
				v[k++] = slowdown[i];
				sum += slowdown[i];
			}
		out[b] = (struct loom_fct_bucket){.min_bytes = lo, .max_bytes = hi, .n = k};
		if (k) {
			qsort(v, k, sizeof(*v), cmp_double);
			out[b].p50 = loom_percentile_sorted(v, k, 50);
			out[b].p99 = loom_percentile_sorted(v, k, 99);
			out[b].mean = sum / (double)k;
		}
	}
	free(v);
	return 0;
}
