/* SPDX-License-Identifier: BSD-3-Clause */
/* A flow's unloaded round trip over the topology (see topo_path_rtt.h). */
#include <stdlib.h>

#include "loom/sim/link.h"
#include "topo_path_rtt.h"

struct topo_path_rtt {
	const struct topology *t;
	int n;        /* nodes: switches, then hosts */
	int *first;   /* [n + 1]: node v's links are adj[first[v] .. first[v + 1]) */
	int *adj;     /* link indices */
	int *from;    /* BFS: the link a node was reached over (-1: not yet) */
	int *queue;
};

static int node(const struct topology *t, const struct topo_end *e)
{
	return e->is_host ? t->n_switches + e->node : e->node;
}

void topo_path_rtt_free(struct topo_path_rtt *p)
{
	if (!p)
		return;
	free(p->first);
	free(p->adj);
	free(p->from);
	free(p->queue);
	free(p);
}

struct topo_path_rtt *topo_path_rtt_new(const struct topology *t)
{
	struct topo_path_rtt *p = calloc(1, sizeof(*p));
	int *fill = NULL;

	if (!p)
		return NULL;
	p->t = t;
	p->n = t->n_switches + t->n_hosts;
	p->first = calloc((size_t)p->n + 1, sizeof(int));
	p->adj = calloc(2 * (size_t)t->n_links + 1, sizeof(int));
	p->from = calloc((size_t)p->n + 1, sizeof(int));
	p->queue = calloc((size_t)p->n + 1, sizeof(int));
	fill = calloc((size_t)p->n + 1, sizeof(int));
	if (!p->first || !p->adj || !p->from || !p->queue || !fill) {
		free(fill);
		topo_path_rtt_free(p);
		return NULL;
	}
	for (int i = 0; i < t->n_links; i++) {
		p->first[node(t, &t->links[i].a) + 1]++;
		p->first[node(t, &t->links[i].b) + 1]++;
	}
	for (int v = 0; v < p->n; v++)
		p->first[v + 1] += p->first[v];
	for (int i = 0; i < t->n_links; i++) {
		int a = node(t, &t->links[i].a), b = node(t, &t->links[i].b);

		p->adj[p->first[a] + fill[a]++] = i;
		p->adj[p->first[b] + fill[b]++] = i;
	}
	free(fill);
	return p;
}

uint64_t topo_path_rtt_ns(struct topo_path_rtt *p, int src_host, int dst_host, uint32_t data_frame,
			  uint32_t ack_frame)
{
	const struct topology *t = p->t;
	int src = t->n_switches + src_host, dst = t->n_switches + dst_host, head = 0, tail = 0;
	uint64_t ns = 0;

	for (int v = 0; v < p->n; v++)
		p->from[v] = -1;
	p->queue[tail++] = src;
	p->from[src] = -2;
	/* breadth first: the fewest hops; hosts end paths, they do not forward */
	while (head < tail && p->from[dst] == -1) {
		int v = p->queue[head++];

		if (v >= t->n_switches && v != src)
			continue;
		for (int k = p->first[v]; k < p->first[v + 1]; k++) {
			const struct topo_link *l = &t->links[p->adj[k]];
			int w = node(t, &l->a) == v ? node(t, &l->b) : node(t, &l->a);

			if (p->from[w] != -1)
				continue;
			p->from[w] = p->adj[k];
			p->queue[tail++] = w;
		}
	}
	if (p->from[dst] == -1)
		return 0;
	for (int v = dst; v != src;) {
		const struct topo_link *l = &t->links[p->from[v]];
		uint64_t rate = l->rate_bps ? l->rate_bps : (t->default_rate_bps ? t->default_rate_bps : 10000000000ull);

		ns += 2 * l->delay_ns + loom_link_serialization_ns(data_frame, rate) +
		      loom_link_serialization_ns(ack_frame, rate);
		v = node(t, &l->a) == v ? node(t, &l->b) : node(t, &l->a);
	}
	return ns;
}
