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

void workload_capacity_free(struct workload_capacity *c)
{
	free(c->rack_of_host);
	free(c->switch_of_rack);
	free(c->tx);
	free(c->rx);
	free(c->up);
	free(c->down);
	memset(c, 0, sizeof(*c));
}

int workload_capacity_from_topo(const struct topology *t, struct workload_capacity *c, char *err, size_t errlen)
{
	struct workload_hosts h;
	size_t ns = (size_t)t->n_switches + 1, nh = (size_t)t->n_hosts + 1;
	int *rack_of_leaf = NULL; /* switch index -> rack, -1 */
	uint32_t n_racks = 0;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (t->n_tiers != 2) {
		snprintf(err, errlen, "%s: the ideal-throughput model covers two tiers (leaf/spine), not %d",
			 t->file, t->n_tiers);
		return -1;
	}
	if (workload_hosts_from_topo(t, &h, err, errlen) < 0)
		return -1;
	rack_of_leaf = malloc(ns * sizeof(*rack_of_leaf));
	c->rack_of_host = malloc(nh * sizeof(*c->rack_of_host));
	c->switch_of_rack = malloc(ns * sizeof(*c->switch_of_rack));
	c->tx = calloc(nh, sizeof(double));
	c->rx = calloc(nh, sizeof(double));
	c->up = calloc(ns, sizeof(double));
	c->down = calloc(ns, sizeof(double));
	if (!rack_of_leaf || !c->rack_of_host || !c->switch_of_rack || !c->tx || !c->rx || !c->up || !c->down) {
		snprintf(err, errlen, "%s: out of memory", t->file);
		goto out;
	}
	for (size_t s = 0; s < ns; s++)
		rack_of_leaf[s] = -1;
	/* racks: the plane-0 leaves, in switch order */
	for (int s = 0; s < t->n_switches; s++)
		for (int i = 0; i < t->n_hosts; i++)
			if (h.leaf_of[i] == (uint32_t)s) {
				c->switch_of_rack[n_racks] = s;
				rack_of_leaf[s] = (int)n_racks++;
				break;
			}
	for (int i = 0; i < t->n_hosts; i++) {
		c->rack_of_host[i] = (uint32_t)rack_of_leaf[h.leaf_of[i]];
		c->tx[i] = c->rx[i] = (double)h.rate_bps[i];
	}
	/* leaves of the other planes join the rack of the hosts they serve */
	for (int l = 0; l < t->n_links; l++) {
		const struct topo_link *ln = &t->links[l];
		const struct topo_end *hst = ln->a.is_host ? &ln->a : ln->b.is_host ? &ln->b : NULL;
		const struct topo_end *sw = hst == &ln->a ? &ln->b : &ln->a;

		if (hst && !sw->is_host && rack_of_leaf[sw->node] < 0)
			rack_of_leaf[sw->node] = (int)c->rack_of_host[hst->node];
	}
	for (int l = 0; l < t->n_links; l++) {
		const struct topo_link *ln = &t->links[l];
		const struct topo_end *leaf = NULL;

		if (ln->a.is_host || ln->b.is_host)
			continue;
		if (t->switches[ln->a.node].role == TOPO_LEAF)
			leaf = &ln->a;
		else if (t->switches[ln->b.node].role == TOPO_LEAF)
			leaf = &ln->b;
		if (!leaf)
			continue;
		if (rack_of_leaf[leaf->node] < 0) {
			snprintf(err, errlen, "%s: leaf %s has no hosts: the model has no rack for it", t->file,
				 t->switches[leaf->node].name);
			goto out;
		}
		c->up[rack_of_leaf[leaf->node]] += (double)ln->rate_bps;
		c->down[rack_of_leaf[leaf->node]] += (double)ln->rate_bps;
	}
	c->m = (struct loom_clos_capacity){
		.n_hosts = (uint32_t)t->n_hosts, .leaf_of = c->rack_of_host, .host_tx_bps = c->tx,
		.host_rx_bps = c->rx, .n_leaves = n_racks, .leaf_up_bps = c->up, .leaf_down_bps = c->down,
	};
	rc = 0;
out:
	free(rack_of_leaf);
	workload_hosts_free(&h);
	if (rc < 0)
		workload_capacity_free(c);
	return rc;
}
