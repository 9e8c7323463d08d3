/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Imbalance of a group's members: how unevenly a policy spread the load.
 *   max/mean: 1.0 = perfectly even, n = everything on one of n members;
 *   coefficient of variation (population stddev / mean): 0 = even.
 * Both are 0 when nothing was sent.
 */
#ifndef LOOM_LB_IMBALANCE_H
#define LOOM_LB_IMBALANCE_H

#include <stdint.h>

struct lb_imbalance {
	double max_over_mean;
	double cv;
};

struct lb_imbalance lb_imbalance_of(const uint64_t *per_member, unsigned int n);

#endif
