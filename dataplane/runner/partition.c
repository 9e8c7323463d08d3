/* SPDX-License-Identifier: BSD-3-Clause */
/* Splitting a virtual-time fabric over MPI ranks: see partition.h. */
#include "partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_host.h"
#include "gen_plane.h"

#define UNSET UINT16_MAX

static int by_name(const struct loom_fabric *f, const char *name)
{
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, name) == 0)
			return s;
	return -1;
}

static int from_groups(const struct loom_fabric *f, const json_t *groups, uint16_t ranks, uint16_t *sw_rank,
		       char *err, size_t errlen)
{
	size_t n = json_array_size(groups), g, i;
	json_t *grp, *name;

	if (!json_is_array(groups) || n < ranks) {
		snprintf(err, errlen, "partition: %zu group(s) for %u ranks: give at least one group per rank", n,
			 ranks);
		return -1;
	}
	json_array_foreach(groups, g, grp) {
		json_array_foreach(grp, i, name) {
			const char *nm = json_string_value(name);
			int s = nm ? by_name(f, nm) : -1;

			if (s < 0) {
				snprintf(err, errlen, "partition: group %zu: no switch '%s'", g + 1, nm ? nm : "?");
				return -1;
			}
			if (sw_rank[s] != UNSET) {
				snprintf(err, errlen, "partition: switch %s is in two groups", nm);
				return -1;
			}
			sw_rank[s] = (uint16_t)(g * ranks / n);
		}
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (sw_rank[s] == UNSET) {
			snprintf(err, errlen, "partition: switch %s is in no group (every switch must be in one)",
				 f->switches[s].name);
			return -1;
		}
	return 0;
}

static bool is_leaf(const struct loom_fabric *f, uint16_t s)
{
	for (uint16_t p = 0; p < f->switches[s].n_ports; p++)
		if (f->links[s][p].kind == LOOM_LINK_GENERATOR)
			return true;
	return false;
}

static void automatic(const struct loom_fabric *f, uint16_t ranks, uint16_t *sw_rank)
{
	uint32_t *count = calloc(ranks, sizeof(*count)), *near = calloc(ranks, sizeof(*near));
	uint32_t leaves = 0, li = 0;
	bool placed_one = true;

	if (!count || !near) { /* without memory: everything on rank 0 is a correct split */
		memset(sw_rank, 0, f->n_switches * sizeof(*sw_rank));
		free(count);
		free(near);
		return;
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		leaves += is_leaf(f, s);
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (is_leaf(f, s)) {
			sw_rank[s] = (uint16_t)((uint64_t)li++ * ranks / leaves);
			count[sw_rank[s]]++;
		}
	while (placed_one) {
		placed_one = false;
		for (uint16_t s = 0; s < f->n_switches; s++) {
			uint16_t best = 0;
			bool any = false;

			if (sw_rank[s] != UNSET)
				continue;
			memset(near, 0, ranks * sizeof(*near));
			for (uint16_t p = 0; p < f->switches[s].n_ports; p++) {
				const struct loom_link_spec *l = &f->links[s][p];

				if (l->kind == LOOM_LINK_RING && sw_rank[l->peer_switch] != UNSET) {
					near[sw_rank[l->peer_switch]]++;
					any = true;
				}
			}
			if (!any)
				continue;
			for (uint16_t r = 1; r < ranks; r++)
				if (near[r] > near[best] || (near[r] == near[best] && count[r] < count[best]))
					best = r;
			sw_rank[s] = best;
			count[best]++;
			placed_one = true;
		}
	}
	for (uint16_t s = 0; s < f->n_switches; s++) /* reached by no link: to the emptiest rank */
		if (sw_rank[s] == UNSET) {
			uint16_t best = 0;

			for (uint16_t r = 1; r < ranks; r++)
				if (count[r] < count[best])
					best = r;
			sw_rank[s] = best;
			count[best]++;
		}
	free(count);
	free(near);
}

int loom_partition(const struct loom_fabric *f, const json_t *groups, uint16_t ranks, uint16_t *sw_rank, char *err,
		   size_t errlen)
{
	if (ranks == 0) {
		snprintf(err, errlen, "partition: no ranks");
		return -1;
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		sw_rank[s] = UNSET;
	if (groups)
		return from_groups(f, groups, ranks, sw_rank, err, errlen);
	automatic(f, ranks, sw_rank);
	return 0;
}

loom_time_ns loom_partition_lookahead(const struct loom_fabric *f, const uint16_t *sw_rank, char *err,
				      size_t errlen)
{
	loom_time_ns la = LOOM_TIME_NEVER;

	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		for (uint16_t p = 0; p < sw->n_ports; p++) {
			const struct loom_link_spec *l = &f->links[s][p];

			/* a multi-plane host runs with its plane-0 leaf (gen_plane.h): its other planes' links may cross */
			if (l->kind == LOOM_LINK_GENERATOR && sw_rank[f->gen_hosts[l->gen_host].sw] != sw_rank[s]) {
				const struct loom_gen_host *h = &f->gen_hosts[l->gen_host];
				loom_time_ns d = sw->ports[p].delay_ns;

				for (unsigned int k = 0; h->nic && k < h->nic->n_planes; k++)
					if (h->nic->plane[k].sw == s && h->nic->plane[k].port == p && h->nic->plane[k].delay_ns < d)
						d = h->nic->plane[k].delay_ns;
				if (d == 0) {
					snprintf(err, errlen,
						 "partition: host %s's link to %s port %u joins rank %u and rank %u but has "
						 "no delay: ranks run ahead of each other by the smallest delay between "
						 "them (give it a delay, or put its leaves in one partition group)",
						 h->name, sw->name, p, sw_rank[h->sw], sw_rank[s]);
					return 0;
				}
				if (d < la)
					la = d;
				continue;
			}
			if (l->kind != LOOM_LINK_RING || sw_rank[l->peer_switch] == sw_rank[s])
				continue;
			if (sw->ports[p].delay_ns == 0) {
				snprintf(err, errlen,
					 "partition: the link %s port %u - %s port %u joins rank %u and rank %u but has "
					 "no delay: ranks run ahead of each other by the smallest delay between them, "
					 "so a link without one between ranks cannot be simulated in parallel (give it "
					 "a delay, or put both switches in one partition group)",
					 sw->name, p, f->switches[l->peer_switch].name, l->peer_port, sw_rank[s],
					 sw_rank[l->peer_switch]);
				return 0;
			}
			if (sw->ports[p].delay_ns < la)
				la = sw->ports[p].delay_ns;
		}
	}
	return la;
}
