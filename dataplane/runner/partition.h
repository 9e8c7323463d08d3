/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a virtual-time fabric is split over MPI ranks (runner_mpi.c,
 * docs/VIRTUAL_TIME.md "Many ranks"): every switch gets a rank, and a
 * generator host runs with its leaf (a host link never crosses ranks).
 *
 * Given groups (the topology's `partition:`, a list of switch-name lists),
 * group g of G goes to rank g * N / G: contiguous groups share a rank, so
 * one file runs on any rank count up to G. Without groups, automatic:
 * leaves (switches with generator hosts) in index order in N contiguous
 * blocks, then every other switch, in passes, to the rank holding most of
 * its neighbours already placed (ties: the rank with fewest switches, then
 * the lowest): a pod's spines follow its leaves, a fat tree's cores spread.
 *
 * The lookahead is the smallest propagation delay of a link between two
 * ranks; a link between ranks with no delay is refused (the windows would
 * be empty: the ranks could not run ahead of each other at all).
 */
#ifndef LOOM_PARTITION_H
#define LOOM_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fabric.h"

/* sw_rank[n_switches] for `ranks` ranks; `groups` is the configuration's
 * "partition" (NULL: automatic). 0, or -1 with a message (an unknown or
 * repeated switch, a switch in no group, fewer groups than ranks). */
int loom_partition(const struct loom_fabric *f, const json_t *groups, uint16_t ranks, uint16_t *sw_rank, char *err,
		   size_t errlen);

/* The smallest delay of a link between ranks (LOOM_TIME_NEVER: none),
 * or 0 with a message naming a link between ranks without delay. */
loom_time_ns loom_partition_lookahead(const struct loom_fabric *f, const uint16_t *sw_rank, char *err,
				      size_t errlen);

#endif
