/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route computation (see routes.h). Everything is derived from the links of
 * the topology: a leaf reaches another leaf through those of its uplinks
 * whose spine has a link to that leaf, a spine reaches a leaf through its
 * downlinks to it. No shortest-path search is needed in a two-tier Clos.
 */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

/* State while computing one switch's routes. The arrays of `r` are sized
 * for the worst case up front (see alloc_tables), so adding never grows. */
struct rbuild {
	const struct topology *t;
	int sw;
	struct switch_routes *r;
	bool *reach;                /* reach[a * n_switches + b]: a link joins switches a and b */
	struct route_nexthop *cand; /* members of the group being assembled */
	int n_cand;
	int *idx;                   /* the same members as next-hop indices */
};

void routes_format_mac(const uint8_t mac[6], char *buf)
{
	snprintf(buf, ROUTES_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

/* If switch `sw` is one end of link `l`, return the other end and set
 * *near to the switch's end; else NULL. */
static const struct topo_end *far_end(const struct topo_link *l, int sw, const struct topo_end **near)
{
	if (!l->a.is_host && l->a.node == sw) {
		*near = &l->a;
		return &l->b;
	}
	if (!l->b.is_host && l->b.node == sw) {
		*near = &l->b;
		return &l->a;
	}
	return NULL;
}

/* The next hop out of `near` toward `far`: the MAC of the host interface
 * or of the peer switch's port. */
static void make_nexthop(const struct topology *t, const struct topo_end *near, const struct topo_end *far,
			 struct route_nexthop *nh)
{
	memset(nh, 0, sizeof(*nh));
	nh->port = near->port;
	if (far->is_host) {
		topo_host_mac(far->node, far->port, nh->mac);
		snprintf(nh->peer, sizeof(nh->peer), "%s", t->hosts[far->node].name);
	} else {
		topo_switch_port_mac(far->node, far->port, nh->mac);
		snprintf(nh->peer, sizeof(nh->peer), "%s:%d", t->switches[far->node].name, far->port);
	}
}

static int alloc_tables(struct rbuild *b)
{
	const struct topology *t = b->t;
	int n_links = t->n_links > 0 ? t->n_links : 1;
	/* Every next hop is the far end of one of our links; every route is a
	 * host (2 per link) or a leaf subnet (2 per switch); every group
	 * serves at least one route. */
	int max_routes = 2 * (t->n_links + t->n_switches) + 1;

	b->r->nexthops = calloc(n_links, sizeof(*b->r->nexthops));
	b->r->routes = calloc(max_routes, sizeof(*b->r->routes));
	b->r->groups = calloc(max_routes, sizeof(*b->r->groups));
	b->cand = calloc(n_links, sizeof(*b->cand));
	b->idx = calloc(n_links, sizeof(*b->idx));
	b->reach = calloc((size_t)t->n_switches * t->n_switches + 1, sizeof(*b->reach));
	if (!b->r->nexthops || !b->r->routes || !b->r->groups || !b->cand || !b->idx || !b->reach)
		return -1;
	return 0;
}

static void fill_reach(struct rbuild *b)
{
	const struct topology *t = b->t;

	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.is_host || l->b.is_host)
			continue;
		b->reach[l->a.node * t->n_switches + l->b.node] = true;
		b->reach[l->b.node * t->n_switches + l->a.node] = true;
	}
}

static int nexthop_cmp(const void *pa, const void *pb)
{
	const struct route_nexthop *a = pa, *b = pb;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return memcmp(a->mac, b->mac, sizeof(a->mac));
}

static int intern_nexthop(struct rbuild *b, const struct route_nexthop *nh)
{
	struct switch_routes *r = b->r;

	for (int i = 0; i < r->n_nexthops; i++)
		if (r->nexthops[i].port == nh->port && !memcmp(r->nexthops[i].mac, nh->mac, 6))
			return i;
	r->nexthops[r->n_nexthops] = *nh;
	return r->n_nexthops++;
}

/* Turn the candidates into a group, reusing an equal one. Candidates are
 * sorted by (port, MAC) first, so that the same set always yields the same
 * index sequence and sets can be compared as sequences. Returns the group
 * index, -1 when there are no candidates, -2 on allocation failure. */
static int intern_group(struct rbuild *b)
{
	struct switch_routes *r = b->r;
	int n = 0;

	if (b->n_cand == 0)
		return -1;
	qsort(b->cand, b->n_cand, sizeof(*b->cand), nexthop_cmp);
	for (int i = 0; i < b->n_cand; i++) {
		int k = intern_nexthop(b, &b->cand[i]);

		/* The same port+MAC twice would be one path counted twice. */
		if (n == 0 || b->idx[n - 1] != k)
			b->idx[n++] = k;
	}
	for (int g = 0; g < r->n_groups; g++)
		if (r->groups[g].n_members == n && !memcmp(r->groups[g].members, b->idx, n * sizeof(int)))
			return g;

	struct route_group *grp = &r->groups[r->n_groups];

	grp->members = malloc(n * sizeof(int));
	if (!grp->members)
		return -2;
	memcpy(grp->members, b->idx, n * sizeof(int));
	grp->n_members = n;
	return r->n_groups++;
}

static void add_route(struct rbuild *b, const struct topo_prefix *p, int group)
{
	struct route_entry *e = &b->r->routes[b->r->n_routes++];

	e->prefix = *p;
	e->group = group;
}

/* A leaf subnet (IPv4 and, when present, IPv6) through the current group. */
static int add_subnet_routes(struct rbuild *b, const struct topo_switch *leaf)
{
	int g;

	if (leaf->subnet4.family != 4 && leaf->subnet6.family != 6)
		return 0; /* nothing to route to: make no group either */
	g = intern_group(b);
	if (g == -2)
		return -1;
	if (g < 0) /* no path: the switch simply has no route there */
		return 0;
	if (leaf->subnet4.family == 4)
		add_route(b, &leaf->subnet4, g);
	if (leaf->subnet6.family == 6)
		add_route(b, &leaf->subnet6, g);
	return 0;
}

static int add_host_routes(struct rbuild *b, const struct topo_end *near, const struct topo_end *far)
{
	const struct topo_switch *leaf = &b->t->switches[b->sw];
	struct topo_prefix addr;
	int g;

	b->n_cand = 1;
	make_nexthop(b->t, near, far, &b->cand[0]);
	g = intern_group(b);
	if (g < 0)
		return -1;
	if (leaf->subnet4.family == 4) {
		memset(&addr, 0, sizeof(addr));
		topo_host_address(&leaf->subnet4, near->port, &addr);
		addr.family = 4;
		addr.len = 32;
		add_route(b, &addr, g);
	}
	if (leaf->subnet6.family == 6) {
		memset(&addr, 0, sizeof(addr));
		topo_host_address(&leaf->subnet6, near->port, &addr);
		addr.family = 6;
		addr.len = 128;
		add_route(b, &addr, g);
	}
	return 0;
}

static bool is_switch(const struct topology *t, const struct topo_end *e, enum topo_role role, int plane)
{
	return !e->is_host && t->switches[e->node].role == role && t->switches[e->node].plane == plane;
}

/* Leaf: its hosts, then every other leaf of its plane through the uplinks
 * whose spine reaches that leaf. */
static int leaf_routes(struct rbuild *b)
{
	const struct topology *t = b->t;
	const struct topo_switch *self = &t->switches[b->sw];
	const struct topo_end *near, *far;

	for (int i = 0; i < t->n_links; i++) {
		far = far_end(&t->links[i], b->sw, &near);
		if (far && far->is_host && add_host_routes(b, near, far) < 0)
			return -1;
	}
	for (int m = 0; m < t->n_switches; m++) {
		const struct topo_switch *leaf = &t->switches[m];

		if (m == b->sw || leaf->role != TOPO_LEAF || leaf->plane != self->plane)
			continue;
		b->n_cand = 0;
		for (int i = 0; i < t->n_links; i++) {
			far = far_end(&t->links[i], b->sw, &near);
			if (!far || !is_switch(t, far, TOPO_SPINE, self->plane))
				continue;
			if (b->reach[far->node * t->n_switches + m])
				make_nexthop(t, near, far, &b->cand[b->n_cand++]);
		}
		if (add_subnet_routes(b, leaf) < 0)
			return -1;
	}
	return 0;
}

/* Spine: every leaf of its plane through its downlinks to that leaf. */
static int spine_routes(struct rbuild *b)
{
	const struct topology *t = b->t;
	const struct topo_switch *self = &t->switches[b->sw];
	const struct topo_end *near, *far;

	for (int m = 0; m < t->n_switches; m++) {
		const struct topo_switch *leaf = &t->switches[m];

		if (leaf->role != TOPO_LEAF || leaf->plane != self->plane)
			continue;
		b->n_cand = 0;
		for (int i = 0; i < t->n_links; i++) {
			far = far_end(&t->links[i], b->sw, &near);
			if (far && !far->is_host && far->node == m)
				make_nexthop(t, near, far, &b->cand[b->n_cand++]);
		}
		if (add_subnet_routes(b, leaf) < 0)
			return -1;
	}
	return 0;
}

static int route_cmp(const void *pa, const void *pb)
{
	const struct route_entry *a = pa, *b = pb;
	int c;

	if (a->prefix.family != b->prefix.family)
		return a->prefix.family < b->prefix.family ? -1 : 1;
	c = memcmp(a->prefix.addr, b->prefix.addr, a->prefix.family == 4 ? 4 : 16);
	if (c)
		return c;
	return (int)a->prefix.len - (int)b->prefix.len;
}

int routes_compute(const struct topology *t, int sw, struct switch_routes *out)
{
	struct rbuild b = { .t = t, .sw = sw, .r = out };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (sw < 0 || sw >= t->n_switches)
		return -1;
	if (alloc_tables(&b) == 0) {
		fill_reach(&b);
		rc = t->switches[sw].role == TOPO_LEAF ? leaf_routes(&b) : spine_routes(&b);
	}
	free(b.cand);
	free(b.idx);
	free(b.reach);
	if (rc < 0) {
		routes_free(out);
		return -1;
	}
	qsort(out->routes, out->n_routes, sizeof(*out->routes), route_cmp);
	return 0;
}

void routes_free(struct switch_routes *r)
{
	if (r->groups)
		for (int g = 0; g < r->n_groups; g++)
			free(r->groups[g].members);
	free(r->groups);
	free(r->nexthops);
	free(r->routes);
	memset(r, 0, sizeof(*r));
}

static void print_member(const struct route_nexthop *nh, FILE *out)
{
	char mac[ROUTES_MAC_STRLEN];

	routes_format_mac(nh->mac, mac);
	fprintf(out, "port %d -> %s (%s)\n", nh->port, nh->peer, mac);
}

void routes_print(const struct topology *t, int sw, const struct switch_routes *r, FILE *out)
{
	const struct topo_switch *s = &t->switches[sw];

	fprintf(out, "%s (%s, plane %d): %d routes, %d groups, %d next hops\n", s->name,
		s->role == TOPO_LEAF ? "leaf" : "spine", s->plane, r->n_routes, r->n_groups, r->n_nexthops);
	fprintf(out, "%-44s %5s  %s\n", "PREFIX", "GROUP", "NEXT HOPS");
	for (int i = 0; i < r->n_routes; i++) {
		const struct route_group *g = &r->groups[r->routes[i].group];
		char prefix[64];

		topo_format_prefix(&r->routes[i].prefix, prefix, sizeof(prefix));
		for (int m = 0; m < g->n_members; m++) {
			if (m == 0)
				fprintf(out, "%-44s %5d  ", prefix, r->routes[i].group);
			else
				fprintf(out, "%-44s %5s  ", "", "");
			print_member(&r->nexthops[g->members[m]], out);
		}
	}
}
