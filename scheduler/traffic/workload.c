/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom/traffic/workload.h"

#define ENTROPY_PORT_BASE 49152u
#define ENTROPY_PORT_SPAN 16384u
#define POISSON_DEFAULT_MAX_FLOWS 10000000u

void loom_flow_list_init(struct loom_flow_list *l)
{
	memset(l, 0, sizeof(*l));
}

void loom_flow_list_free(struct loom_flow_list *l)
{
	free(l->v);
	loom_flow_list_init(l);
}

static int list_reserve(struct loom_flow_list *l, size_t more)
{
	size_t need = l->n + more, ncap;
	struct loom_flow_spec *v;

	if (need <= l->cap)
		return 0;
	ncap = l->cap ? l->cap : 64;
	while (ncap < need)
		ncap *= 2;
	v = realloc(l->v, ncap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = ncap;
	return 0;
}

/* Append one flow; room must have been reserved. */
static struct loom_flow_spec *list_add(struct loom_flow_list *l, const struct loom_flow_spec *tmpl,
				       uint32_t src, uint32_t dst, uint64_t bytes, struct loom_rng *rng)
{
	struct loom_flow_spec *f = &l->v[l->n];

	*f = *tmpl;
	f->id = (uint32_t)l->n;
	f->src_host = src;
	f->dst_host = dst;
	f->bytes = bytes;
	f->src_port = (uint16_t)(ENTROPY_PORT_BASE + loom_rng_below(rng, ENTROPY_PORT_SPAN));
	l->n++;
	return f;
}

static void shuffle(uint32_t *a, uint32_t n, struct loom_rng *rng)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = (uint32_t)loom_rng_below(rng, i), t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/*
 * Construction: list the hosts grouped by leaf (largest leaf first, hosts
 * and equal-size leaves in random order) and send from position i to
 * position (i + m) mod n, m = the largest leaf's size. A leaf occupies a
 * contiguous run of at most m positions, so i and i + m never fall in the
 * same run unless they wrap around into it, which needs n < 2m. Then mix:
 * swap the destinations of two random senders whenever both still cross
 * leaves (the chain of such swaps keeps every constraint; 8n attempts).
 */
int loom_wl_permutation(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			const struct loom_flow_spec *tmpl, struct loom_rng *rng)
{
	uint32_t n = hosts->n_hosts, max_leaf = 0, m = 0, pos = 0;
	uint32_t *order = NULL, *dst = NULL, *leaf_size = NULL, *leaves = NULL;
	int rc = -ENOMEM;

	if (n < 2)
		return -EINVAL;
	for (uint32_t h = 0; h < n; h++)
		if (hosts->leaf_of[h] + 1 > max_leaf)
			max_leaf = hosts->leaf_of[h] + 1;
	order = malloc(n * sizeof(*order));
	dst = malloc(n * sizeof(*dst));
	leaf_size = calloc(max_leaf, sizeof(*leaf_size));
	leaves = malloc(max_leaf * sizeof(*leaves));
	if (!order || !dst || !leaf_size || !leaves || list_reserve(out, n) < 0)
		goto out;
	for (uint32_t h = 0; h < n; h++)
		leaf_size[hosts->leaf_of[h]]++;
	for (uint32_t l = 0; l < max_leaf; l++) {
		leaves[l] = l;
		if (leaf_size[l] > m)
			m = leaf_size[l];
	}
	rc = -EINVAL;
	if (2 * m > n)
		goto out;
	shuffle(leaves, max_leaf, rng);
	/* stable insertion sort by size, largest first: random among equals */
	for (uint32_t i = 1; i < max_leaf; i++)
		for (uint32_t j = i; j > 0 && leaf_size[leaves[j]] > leaf_size[leaves[j - 1]]; j--) {
			uint32_t t = leaves[j];
			leaves[j] = leaves[j - 1];
			leaves[j - 1] = t;
		}
	for (uint32_t li = 0; li < max_leaf; li++) {
		uint32_t start = pos;
		for (uint32_t h = 0; h < n; h++)
			if (hosts->leaf_of[h] == leaves[li])
				order[pos++] = h;
		shuffle(order + start, pos - start, rng);
	}
	for (uint32_t i = 0; i < n; i++)
		dst[order[i]] = order[(i + m) % n];
	for (uint64_t t = 0; t < 8ull * n; t++) {
		uint32_t a = (uint32_t)loom_rng_below(rng, n), b = (uint32_t)loom_rng_below(rng, n);
		if (a != b && hosts->leaf_of[a] != hosts->leaf_of[dst[b]] &&
		    hosts->leaf_of[b] != hosts->leaf_of[dst[a]]) {
			uint32_t x = dst[a];
			dst[a] = dst[b];
			dst[b] = x;
		}
	}
	for (uint32_t h = 0; h < n; h++)
		list_add(out, tmpl, h, dst[h], tmpl->bytes, rng);
	rc = 0;
out:
	free(order);
	free(dst);
	free(leaf_size);
	free(leaves);
	return rc;
}

int loom_wl_all_to_all(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		       const struct loom_flow_spec *tmpl, struct loom_rng *rng)
{
	uint32_t n = hosts->n_hosts;

	if (n < 2)
		return -EINVAL;
	if (list_reserve(out, (size_t)n * (n - 1)) < 0)
		return -ENOMEM;
	for (uint32_t s = 0; s < n; s++)
		for (uint32_t d = 0; d < n; d++)
			if (s != d)
				list_add(out, tmpl, s, d, tmpl->bytes, rng);
	return 0;
}

static int check_members(const struct loom_wl_hosts *hosts, const uint32_t *m, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++) {
		if (m[i] >= hosts->n_hosts)
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++)
			if (m[i] == m[j])
				return -EINVAL;
	}
	return 0;
}

int loom_wl_incast_from(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			const struct loom_flow_spec *tmpl, uint32_t dst, const uint32_t *srcs, uint32_t n_senders,
			struct loom_rng *rng)
{
	if (dst >= hosts->n_hosts || n_senders == 0 || check_members(hosts, srcs, n_senders) < 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n_senders; i++)
		if (srcs[i] == dst)
			return -EINVAL;
	if (list_reserve(out, n_senders) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_senders; i++)
		list_add(out, tmpl, srcs[i], dst, tmpl->bytes, rng);
	return 0;
}

int loom_wl_incast(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		   const struct loom_flow_spec *tmpl, uint32_t dst, uint32_t n_senders,
		   struct loom_rng *rng)
{
	uint32_t n = hosts->n_hosts, *cand;

	if (dst >= n || n_senders == 0 || n_senders > n - 1)
		return -EINVAL;
	cand = malloc((n - 1) * sizeof(*cand));
	if (!cand || list_reserve(out, n_senders) < 0) {
		free(cand);
		return -ENOMEM;
	}
	for (uint32_t h = 0, i = 0; h < n; h++)
		if (h != dst)
			cand[i++] = h;
	/* partial Fisher-Yates: the first n_senders are a uniform sample */
	for (uint32_t i = 0; i < n_senders; i++) {
		uint32_t j = i + (uint32_t)loom_rng_below(rng, n - 1 - i), t = cand[i];
		cand[i] = cand[j];
		cand[j] = t;
		list_add(out, tmpl, cand[i], dst, tmpl->bytes, rng);
	}
	free(cand);
	return 0;
}


static int ring_phases(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		       const struct loom_flow_spec *tmpl, const uint32_t *ring, uint32_t k,
		       uint64_t bytes, uint32_t collective, uint32_t phases, struct loom_rng *rng)
{
	uint64_t chunk;

	if (k < 2 || bytes == 0 || collective == 0 || collective > LOOM_WL_MAX_COLLECTIVES ||
	    phases > LOOM_WL_MAX_PHASES || check_members(hosts, ring, k) < 0)
		return -EINVAL;
	if (list_reserve(out, (size_t)k * phases) < 0)
		return -ENOMEM;
	chunk = (bytes + k - 1) / k;
	for (uint32_t p = 0; p < phases; p++)
		for (uint32_t i = 0; i < k; i++) {
			struct loom_flow_spec *f = list_add(out, tmpl, ring[i], ring[(i + 1) % k], chunk, rng);
			f->group = LOOM_WL_GROUP(collective, p);
			if (p > 0)
				f->start = LOOM_WL_START_CHAINED;
		}
	return 0;
}

int loom_wl_ring_allreduce(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			   const struct loom_flow_spec *tmpl, const uint32_t *ring, uint32_t k,
			   uint64_t bytes, uint32_t collective, struct loom_rng *rng)
{
	return ring_phases(out, hosts, tmpl, ring, k, bytes, collective, k >= 2 ? 2 * (k - 1) : 0, rng);
}

int loom_wl_ring_allgather(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			   const struct loom_flow_spec *tmpl, const uint32_t *ring, uint32_t k,
			   uint64_t bytes, uint32_t collective, struct loom_rng *rng)
{
	return ring_phases(out, hosts, tmpl, ring, k, bytes, collective, k >= 2 ? k - 1 : 0, rng);
}

int loom_wl_broadcast(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		      const struct loom_flow_spec *tmpl, uint32_t root, const uint32_t *dsts,
		      uint32_t n_dsts, uint32_t collective, struct loom_rng *rng)
{
	if (root >= hosts->n_hosts || n_dsts == 0 || collective == 0 ||
	    collective > LOOM_WL_MAX_COLLECTIVES || check_members(hosts, dsts, n_dsts) < 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n_dsts; i++)
		if (dsts[i] == root)
			return -EINVAL;
	if (list_reserve(out, n_dsts) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_dsts; i++)
		list_add(out, tmpl, root, dsts[i], tmpl->bytes, rng)->group = LOOM_WL_GROUP(collective, 0);
	return 0;
}

/* A destination uniform among the allowed hosts; -1 when there is none. */
static int64_t pick_dst(const struct loom_wl_hosts *hosts, uint32_t src, int cross_leaf_only,
			const uint32_t *other_leaf_count, struct loom_rng *rng)
{
	uint32_t n = hosts->n_hosts;

	if (!cross_leaf_only) {
		uint32_t d = (uint32_t)loom_rng_below(rng, n - 1);
		return d >= src ? d + 1 : d;
	}
	if (other_leaf_count[src] == 0)
		return -1;
	/* the r-th host on another leaf (a linear scan: flows are few
	 * compared with the work of carrying them out) */
	for (uint32_t r = (uint32_t)loom_rng_below(rng, other_leaf_count[src]), h = 0; h < n; h++)
		if (hosts->leaf_of[h] != hosts->leaf_of[src] && r-- == 0)
			return h;
	return -1;
}

int loom_wl_poisson(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		    const struct loom_flow_spec *tmpl, const struct loom_cdf *cdf,
		    const struct loom_wl_poisson_cfg *cfg, struct loom_rng *rng)
{
	uint32_t n = hosts->n_hosts, *other = NULL;
	size_t max_flows = cfg->max_flows ? cfg->max_flows : POISSON_DEFAULT_MAX_FLOWS;
	size_t n_before = out->n;
	double mean, gap_ns, t;

	if (n < 2 || !(cfg->load > 0 && cfg->load <= 1) || cfg->host_rate_bps == 0 ||
	    cfg->duration_ns == 0 || cdf->n == 0)
		return -EINVAL;
	mean = loom_cdf_mean(cdf);
	if (!(mean > 0))
		return -EINVAL;
	other = calloc(n, sizeof(*other));
	if (!other)
		return -ENOMEM;
	for (uint32_t s = 0; s < n; s++)
		for (uint32_t h = 0; h < n; h++)
			other[s] += hosts->leaf_of[h] != hosts->leaf_of[s];
	/* n independent Poisson sources of rate lambda merge into one of rate
	 * n * lambda whose arrivals pick their source uniformly */
	gap_ns = (mean * 8.0 * 1e9) / (cfg->load * (double)cfg->host_rate_bps) / n;
	for (t = loom_rng_exp(rng, gap_ns); t < (double)cfg->duration_ns; t += loom_rng_exp(rng, gap_ns)) {
		uint32_t src = (uint32_t)loom_rng_below(rng, n);
		int64_t dst = pick_dst(hosts, src, cfg->cross_leaf_only, other, rng);
		uint64_t bytes = loom_cdf_sample(cdf, rng);
		struct loom_flow_spec *f;

		if (dst < 0)
			continue;
		if (out->n - n_before >= max_flows || list_reserve(out, 1) < 0) {
			int rc = out->n - n_before >= max_flows ? -E2BIG : -ENOMEM;
			out->n = n_before;
			free(other);
			return rc;
		}
		f = list_add(out, tmpl, src, (uint32_t)dst, bytes, rng);
		f->start = tmpl->start + (loom_time_ns)t;
	}
	free(other);
	return 0;
}
