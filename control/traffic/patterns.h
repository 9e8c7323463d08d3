/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simple traffic patterns for generator hosts, as loom_flow_spec arrays:
 * what the topology's `traffic:` list can ask for besides explicit flows
 * (the full workload library, collectives and size distributions, lives
 * elsewhere). Pure functions: the same arguments give the same flows.
 */
#ifndef LOOM_PATTERNS_H
#define LOOM_PATTERNS_H

#include <stdint.h>

#include "loom/flow_spec.h"

/* Every host sends one flow and receives one, never to a host on its own
 * leaf: hosts[i] (a host number) is on leaf leaf_of[i]. A random
 * permutation from `seed`, then conflicts are swapped away. Each flow is
 * a copy of `tmpl` with src/dst set and ids first_id, first_id + 1 ... in
 * the order of hosts[]. Writes n flows into out; returns n, or -1 when no
 * such permutation exists (all hosts on one leaf, or one leaf holding more
 * than half of them). */
int pattern_permutation(const uint32_t *hosts, const uint32_t *leaf_of, int n, uint64_t seed,
			const struct loom_flow_spec *tmpl, uint32_t first_id, struct loom_flow_spec *out);

/* n:1 incast: srcs[i] -> dst, ids from first_id. Returns n. */
int pattern_incast(const uint32_t *srcs, int n, uint32_t dst, const struct loom_flow_spec *tmpl, uint32_t first_id,
		   struct loom_flow_spec *out);

#endif
