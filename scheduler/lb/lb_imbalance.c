/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>

#include "loom/lb/lb_imbalance.h"

struct lb_imbalance lb_imbalance_of(const uint64_t *v, unsigned int n)
{
	struct lb_imbalance r = {0, 0};
	double sum = 0, max = 0, mean, var = 0;

	for (unsigned int i = 0; i < n; i++) {
		sum += (double)v[i];
		if ((double)v[i] > max)
			max = (double)v[i];
	}
	if (n == 0 || sum == 0)
		return r;
	mean = sum / n;
	for (unsigned int i = 0; i < n; i++)
		var += ((double)v[i] - mean) * ((double)v[i] - mean);
	r.max_over_mean = max / mean;
	r.cv = sqrt(var / n) / mean;
	return r;
}
