/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "loom/traffic/maxmin.h"

/* Relative slack under which a resource counts as saturated: floating
 * point leaves crumbs after subtracting many equal shares. */
#define SATURATED_EPS 1e-9

int loom_maxmin_solve(const double *cap_bps, uint32_t n_res, const struct loom_maxmin_flow *flows,
		      size_t n_flows, double *rate_bps)
{
	double *rem = malloc((n_res ? n_res : 1) * sizeof(*rem));
	uint32_t *active = calloc(n_res ? n_res : 1, sizeof(*active));
	bool *frozen = calloc(n_flows ? n_flows : 1, sizeof(*frozen));
	size_t left = n_flows;
	double level = 0;
	int rc = 0;

	if (!rem || !active || !frozen) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t r = 0; r < n_res; r++)
		rem[r] = cap_bps[r];
	for (size_t i = 0; i < n_flows; i++) {
		if (flows[i].n_res > LOOM_MAXMIN_MAX_HOPS || (flows[i].n_res == 0 && !(flows[i].demand_bps > 0))) {
			rc = -EINVAL;
			goto out;
		}
		for (uint32_t h = 0; h < flows[i].n_res; h++) {
			if (flows[i].res[h] >= n_res) {
				rc = -EINVAL;
				goto out;
			}
			active[flows[i].res[h]]++;
		}
		rate_bps[i] = 0;
	}
	while (left > 0) {
		double delta = -1;

		/* the smallest raise that saturates a resource or meets a demand */
		for (uint32_t r = 0; r < n_res; r++)
			if (active[r] && (delta < 0 || rem[r] / active[r] < delta))
				delta = rem[r] / active[r];
		for (size_t i = 0; i < n_flows; i++)
			if (!frozen[i] && flows[i].demand_bps > 0 &&
			    (delta < 0 || flows[i].demand_bps - level < delta))
				delta = flows[i].demand_bps - level;
		if (delta < 0)
			delta = 0;
		level += delta;
		for (uint32_t r = 0; r < n_res; r++)
			rem[r] -= delta * active[r];
		for (size_t i = 0; i < n_flows; i++) {
			bool stop;

			if (frozen[i])
				continue;
			rate_bps[i] = level;
			stop = flows[i].demand_bps > 0 && level >= flows[i].demand_bps * (1 - SATURATED_EPS);
			for (uint32_t h = 0; h < flows[i].n_res && !stop; h++) {
				uint32_t r = flows[i].res[h];
				stop = rem[r] <= cap_bps[r] * SATURATED_EPS;
			}
			if (stop) {
				frozen[i] = true;
				left--;
				for (uint32_t h = 0; h < flows[i].n_res; h++)
					active[flows[i].res[h]]--;
			}
		}
	}
out:
	free(rem);
	free(active);
	free(frozen);
	return rc;
}

int loom_maxmin_clos(const struct loom_clos_capacity *m, const struct loom_flow_spec *flows, size_t n,
		     double *rate_bps)
{
	uint32_t nh = m->n_hosts, nl = m->n_leaves, n_res = 2 * nh + 2 * nl;
	double *cap = malloc(n_res * sizeof(*cap));
	struct loom_maxmin_flow *f = malloc((n ? n : 1) * sizeof(*f));
	int rc;

	if (!cap || !f) {
		free(cap);
		free(f);
		return -ENOMEM;
	}
	/* resources: host tx 0..nh-1, host rx nh.., leaf up 2nh.., leaf down 2nh+nl.. */
	for (uint32_t h = 0; h < nh; h++) {
		cap[h] = m->host_tx_bps[h];
		cap[nh + h] = m->host_rx_bps[h];
	}
	for (uint32_t l = 0; l < nl; l++) {
		cap[2 * nh + l] = m->leaf_up_bps[l];
		cap[2 * nh + nl + l] = m->leaf_down_bps[l];
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t s = flows[i].src_host, d = flows[i].dst_host;

		if (s >= nh || d >= nh || m->leaf_of[s] >= nl || m->leaf_of[d] >= nl) {
			free(cap);
			free(f);
			return -EINVAL;
		}
		f[i] = (struct loom_maxmin_flow){.n_res = 2, .res = {s, nh + d}, .demand_bps = (double)flows[i].rate_bps};
		if (m->leaf_of[s] != m->leaf_of[d]) {
			f[i].res[f[i].n_res++] = 2 * nh + m->leaf_of[s];
			f[i].res[f[i].n_res++] = 2 * nh + nl + m->leaf_of[d];
		}
	}
	rc = loom_maxmin_solve(cap, n_res, f, n, rate_bps);
	free(cap);
	free(f);
	return rc;
}
