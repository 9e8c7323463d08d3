/* SPDX-License-Identifier: BSD-3-Clause */
/* Topology -> the host view of the workload generators. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

void workload_hosts_free(struct workload_hosts *h)
{
	free(h->leaf_of);
	free(h->rate_bps);
	memset(h, 0, sizeof(*h));
}

int workload_hosts_from_topo(const struct topology *t, struct workload_hosts *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	h->leaf_of = malloc((size_t)(t->n_hosts ? t->n_hosts : 1) * sizeof(*h->leaf_of));
	h->rate_bps = calloc((size_t)(t->n_hosts ? t->n_hosts : 1), sizeof(*h->rate_bps));
	if (!h->leaf_of || !h->rate_bps) {
		workload_hosts_free(h);
		snprintf(err, errlen, "%s: out of memory", t->file);
		return -1;
	}
	for (int i = 0; i < t->n_hosts; i++)
		h->leaf_of[i] = UINT32_MAX;
	for (int l = 0; l < t->n_links; l++) {
		const struct topo_link *ln = &t->links[l];
		const struct topo_end *hst = ln->a.is_host ? &ln->a : ln->b.is_host ? &ln->b : NULL;
		const struct topo_end *sw = hst == &ln->a ? &ln->b : &ln->a;

		if (!hst || sw->is_host)
			continue;
		h->rate_bps[hst->node] += ln->rate_bps;
		if (hst->port == 0)
			h->leaf_of[hst->node] = (uint32_t)sw->node;
	}
	for (int i = 0; i < t->n_hosts; i++)
		if (h->leaf_of[i] == UINT32_MAX) {
			snprintf(err, errlen, "%s: host %s has no link on its interface 0", t->file, t->hosts[i].name);
			workload_hosts_free(h);
			return -1;
		}
	h->wl.n_hosts = (uint32_t)t->n_hosts;
	h->wl.leaf_of = h->leaf_of;
	return 0;
}
