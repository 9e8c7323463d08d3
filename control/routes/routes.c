/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route computation (see routes.h). Everything is derived from the links of
 * the topology: from each of its links, a switch walks the valley-free
 * paths (up the tiers, then down) to every leaf, and routes each leaf's
 * subnet over the links of least cost. A Clos has at most three tiers
 * here, so the walks are short: no general shortest-path search is needed.
 */
#include "routes.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A link of the switch being computed: our end, the other, and the next
 * hop through it (interned into the result when a group first uses it). */
struct own_link {
	const struct topo_end *near, *far;
	struct route_nexthop hop;
	int nh; /* index in r->nexthops, -1 until used */
};

/* Own link `own` reaches leaf `leaf` over a path of `cost` links. */
struct reach {
	int leaf, own, cost;
};

/* Links per switch, in compressed rows: links[off[sw] .. off[sw + 1]),
 * and the switch at the other end of each (-1 for a host). `peer` spares
 * reading 560-byte links when only the neighbours' neighbours matter. */
struct routes_index {
	const struct topology *t;
	int *off;
	int *links;
	int *peer;
};

/*
 * State while computing one switch's routes. Only the switches that the
 * walks from its own links reach are looked at: a link is 560 bytes, and
 * scanning all links of a large fabric (262144) for every switch (2560)
 * took ~15 s. The arrays of `r` are sized for the worst case up front
 * (alloc_tables), so adding never grows them.
 */
struct rbuild {
	const struct topology *t;
	const struct routes_index *ix;
	int sw;
	struct switch_routes *r;
	struct own_link *own; /* our links, by port */
	int n_own;
	/* via[via_off[m] .. via_off[m + 1]): our links (indices into own,
	 * ascending) through which switch m is reached */
	int *via_off;
	int *via;
	int *seen; /* scratch for build_via: last own link that listed m */
	/* the walk (walk_own_links): leaves reached, and per switch the own
	 * link and cost it was last visited by */
	struct reach *reach;
	int n_reach, cap_reach;
	int *visit_own, *visit_cost;
	int *best; /* per leaf: least cost over all own links */
	int *cand; /* members of the group being assembled, as own indices */
	int n_cand;
	int *idx;  /* the same members as next-hop indices */
	int port_nh[TOPO_MAX_PORTS]; /* next hop out of each port, -1 if none yet */
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

/* --- the index ------------------------------------------------------------ */

/* The b end adds the link to its switch, unless the link is a loop on the
 * switch of its a end (listed once, like any other link of that switch). */
static bool b_end_counts(const struct topo_link *l)
{
	return !l->b.is_host && (l->a.is_host || l->a.node != l->b.node);
}

struct routes_index *routes_index_new(const struct topology *t)
{
	struct routes_index *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix->t = t;
	ix->off = calloc(t->n_switches + 2, sizeof(int));
	ix->links = malloc((2 * (size_t)t->n_links + 1) * sizeof(int));
	ix->peer = malloc((2 * (size_t)t->n_links + 1) * sizeof(int));
	if (!ix->off || !ix->links || !ix->peer) {
		routes_index_free(ix);
		return NULL;
	}
	/* Count the links of each switch into off[sw + 2], turn the counts
	 * into starts at off[sw + 1], then fill while advancing them: off[sw]
	 * ends as the start of switch sw. */
	for (int i = 0; i < t->n_links; i++) {
		if (!t->links[i].a.is_host)
			ix->off[t->links[i].a.node + 2]++;
		if (b_end_counts(&t->links[i]))
			ix->off[t->links[i].b.node + 2]++;
	}
	for (int s = 2; s <= t->n_switches + 1; s++)
		ix->off[s] += ix->off[s - 1];
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		int k;

		if (!l->a.is_host) {
			k = ix->off[l->a.node + 1]++;
			ix->links[k] = i;
			ix->peer[k] = l->b.is_host ? -1 : l->b.node;
		}
		if (b_end_counts(l)) {
			k = ix->off[l->b.node + 1]++;
			ix->links[k] = i;
			ix->peer[k] = l->a.is_host ? -1 : l->a.node;
		}
	}
	return ix;
}

void routes_index_free(struct routes_index *ix)
{
	if (!ix)
		return;
	free(ix->off);
	free(ix->links);
	free(ix->peer);
	free(ix);
}

const int *routes_index_links(const struct routes_index *ix, int sw, int *n)
{
	*n = ix->off[sw + 1] - ix->off[sw];
	return ix->links + ix->off[sw];
}

/* --- one switch: its links and where they lead ------------------------------ */

static int own_link_cmp(const void *pa, const void *pb)
{
	const struct own_link *a = pa, *b = pb;

	if (a->near->port != b->near->port)
		return a->near->port < b->near->port ? -1 : 1;
	return a->near < b->near ? -1 : a->near > b->near; /* link order */
}

/* Our links, by port. Group members are gathered in this order, so the
 * members of equal sets come out in the same order and groups can be
 * compared as sequences. */
static int collect_own_links(struct rbuild *b)
{
	int n;
	const int *lk = routes_index_links(b->ix, b->sw, &n);

	b->own = calloc(n + 1, sizeof(*b->own));
	if (!b->own)
		return -1;
	for (int i = 0; i < n; i++) {
		struct own_link *o = &b->own[b->n_own++];

		o->far = far_end(&b->t->links[lk[i]], b->sw, &o->near);
		o->nh = -1;
		make_nexthop(b->t, o->near, o->far, &o->hop);
	}
	qsort(b->own, b->n_own, sizeof(*b->own), own_link_cmp);
	return 0;
}

/* --- where each own link leads ---------------------------------------------- */

/*
 * Paths are valley-free: up the tiers (leaf, spine, super-spine), then
 * down, never down and up again, so that they cannot loop (and the
 * shortest never go up from a switch that can go down). Walking them from
 * each own link, every leaf reached is recorded with the length of the
 * path ("cost"); a route then takes the own links of least cost to that
 * leaf: the equal-cost paths. Each next switch routes the same way, so a
 * packet follows one of them. In a two-tier Clos this is the former rule
 * (a leaf reaches the leaves of its spines, a spine the leaves at the end
 * of its links), and planes that share no switch never reach each other.
 */
static int tier(const struct rbuild *b, int sw)
{
	return (int)b->t->switches[sw].role;
}

/* True when the walk from own link o has been at `node` already, by a
 * path no longer than `cost`: going on from it again adds nothing. */
static bool visited(struct rbuild *b, int node, int o, int cost)
{
	if (b->visit_own[node] == o && b->visit_cost[node] <= cost)
		return true;
	b->visit_own[node] = o;
	b->visit_cost[node] = cost;
	return false;
}

static int reach_add(struct rbuild *b, int leaf, int o, int cost)
{
	if (b->n_reach == b->cap_reach) {
		int cap = b->cap_reach ? 2 * b->cap_reach : 256;
		struct reach *r = realloc(b->reach, (size_t)cap * sizeof(*r));

		if (!r)
			return -1;
		b->reach = r;
		b->cap_reach = cap;
	}
	b->reach[b->n_reach++] = (struct reach){ leaf, o, cost };
	return 0;
}

/* Every leaf below `node`, which own link o reaches in `cost` hops. */
static int walk_down(struct rbuild *b, int node, int o, int cost)
{
	if (visited(b, node, o, cost))
		return 0;
	if (b->t->switches[node].role == TOPO_LEAF)
		return reach_add(b, node, o, cost);
	for (int k = b->ix->off[node]; k < b->ix->off[node + 1]; k++) {
		int peer = b->ix->peer[k];

		if (peer >= 0 && tier(b, peer) < tier(b, node) && walk_down(b, peer, o, cost + 1) < 0)
			return -1;
	}
	return 0;
}

/* Reached going up, `node` may turn down or go on up. */
static int walk_up(struct rbuild *b, int node, int o, int cost)
{
	if (walk_down(b, node, o, cost) < 0)
		return -1;
	for (int k = b->ix->off[node]; k < b->ix->off[node + 1]; k++) {
		int peer = b->ix->peer[k];

		if (peer >= 0 && tier(b, peer) > tier(b, node) && walk_up(b, peer, o, cost + 1) < 0)
			return -1;
	}
	return 0;
}

static int walk_own_links(struct rbuild *b)
{
	int n = b->t->n_switches;

	b->visit_own = malloc((n + 1) * sizeof(int));
	b->visit_cost = malloc((n + 1) * sizeof(int));
	b->best = malloc((n + 1) * sizeof(int));
	if (!b->visit_own || !b->visit_cost || !b->best)
		return -1;
	for (int m = 0; m < n; m++)
		b->visit_own[m] = -1;
	for (int o = 0; o < b->n_own; o++) {
		const struct topo_end *far = b->own[o].far;
		int rc;

		if (far->is_host)
			continue;
		/* a path back through ourselves is never the shortest */
		b->visit_own[b->sw] = o;
		b->visit_cost[b->sw] = 0;
		if (tier(b, far->node) < tier(b, b->sw))
			rc = walk_down(b, far->node, o, 1);
		else
			rc = walk_up(b, far->node, o, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* via[m]: the own links of least cost to leaf m, as compressed rows
 * (counted, then filled). The reach list is in own-link order, so the
 * rows come out ascending; `seen` drops an own link listed twice for m
 * (parallel links below a spine are still one path for the uplink). */
static void via_pass(struct rbuild *b, bool fill)
{
	for (int m = 0; m < b->t->n_switches; m++)
		b->seen[m] = -1;
	for (int i = 0; i < b->n_reach; i++) {
		const struct reach *r = &b->reach[i];

		if (r->cost != b->best[r->leaf] || b->seen[r->leaf] == r->own)
			continue;
		b->seen[r->leaf] = r->own;
		if (fill)
			b->via[b->via_off[r->leaf + 1]++] = r->own;
		else
			b->via_off[r->leaf + 2]++;
	}
}

static int build_via(struct rbuild *b)
{
	int n = b->t->n_switches;

	if (walk_own_links(b) < 0)
		return -1;
	b->via_off = calloc(n + 2, sizeof(int));
	b->seen = malloc((n + 1) * sizeof(int));
	if (!b->via_off || !b->seen)
		return -1;
	for (int m = 0; m < n; m++)
		b->best[m] = INT_MAX;
	for (int i = 0; i < b->n_reach; i++)
		if (b->reach[i].cost < b->best[b->reach[i].leaf])
			b->best[b->reach[i].leaf] = b->reach[i].cost;
	via_pass(b, false);
	for (int m = 2; m <= n + 1; m++)
		b->via_off[m] += b->via_off[m - 1];
	b->via = malloc((b->via_off[n + 1] + 1) * sizeof(int));
	if (!b->via)
		return -1;
	via_pass(b, true);
	return 0;
}

static int alloc_tables(struct rbuild *b)
{
	int n = b->n_own + 1, n_reached = 0;
	int max_routes;

	for (int m = 0; m < b->t->n_switches; m++)
		n_reached += b->via_off[m + 1] > b->via_off[m];
	/* Every next hop is the far end of one of our links; every route is a
	 * host (2 per link) or a switch we reach (2 each); every group serves
	 * at least one route. Tight bounds keep these allocations small. */
	max_routes = 2 * (b->n_own + n_reached) + 1;

	b->r->nexthops = calloc(n, sizeof(*b->r->nexthops));
	b->r->routes = calloc(max_routes, sizeof(*b->r->routes));
	b->r->groups = calloc(max_routes, sizeof(*b->r->groups));
	b->cand = calloc(n, sizeof(*b->cand));
	b->idx = calloc(n, sizeof(*b->idx));
	if (!b->r->nexthops || !b->r->routes || !b->r->groups || !b->cand || !b->idx)
		return -1;
	return 0;
}

/* --- groups and routes ------------------------------------------------------ */

static int intern_nexthop(struct rbuild *b, const struct route_nexthop *nh)
{
	struct switch_routes *r = b->r;
	int p = b->port_nh[nh->port];

	/* A port has one link, so one next hop: the port finds it directly. */
	if (p >= 0 && !memcmp(r->nexthops[p].mac, nh->mac, 6))
		return p;
	for (int i = 0; i < r->n_nexthops; i++)
		if (r->nexthops[i].port == nh->port && !memcmp(r->nexthops[i].mac, nh->mac, 6))
			return i;
	r->nexthops[r->n_nexthops] = *nh;
	if (p < 0)
		b->port_nh[nh->port] = r->n_nexthops;
	return r->n_nexthops++;
}

/* Turn the candidates (own links in port order) into a group, reusing an
 * equal one. Returns the group index, -1 when there are no candidates, -2
 * on allocation failure. */
static int intern_group(struct rbuild *b)
{
	struct switch_routes *r = b->r;
	struct route_group *grp;
	int n = 0;

	if (b->n_cand == 0)
		return -1;
	for (int i = 0; i < b->n_cand; i++) {
		struct own_link *o = &b->own[b->cand[i]];

		if (o->nh < 0)
			o->nh = intern_nexthop(b, &o->hop);
		/* The same port+MAC twice would be one path counted twice. */
		if (n == 0 || b->idx[n - 1] != o->nh)
			b->idx[n++] = o->nh;
	}
	for (int g = 0; g < r->n_groups; g++)
		if (r->groups[g].n_members == n && !memcmp(r->groups[g].members, b->idx, n * sizeof(int)))
			return g;
	grp = &r->groups[r->n_groups];
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

/* A leaf subnet (IPv4 and, when present, IPv6) through every own link that
 * reaches the leaf. */
static int add_subnet_routes(struct rbuild *b, int m)
{
	const struct topo_switch *leaf = &b->t->switches[m];
	int g;

	if (leaf->subnet4.family != 4 && leaf->subnet6.family != 6)
		return 0; /* nothing to route to: make no group either */
	b->n_cand = b->via_off[m + 1] - b->via_off[m];
	memcpy(b->cand, b->via + b->via_off[m], b->n_cand * sizeof(int));
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

/* The /32 and /128 of the host at the end of own link o. */
static int add_host_routes(struct rbuild *b, int o)
{
	const struct topo_switch *leaf = &b->t->switches[b->sw];
	int port = b->own[o].near->port;
	struct topo_prefix addr;
	int g;

	b->n_cand = 1;
	b->cand[0] = o;
	g = intern_group(b);
	if (g < 0)
		return -1;
	if (leaf->subnet4.family == 4) {
		topo_host_address(&leaf->subnet4, port, &addr); /* a /32 */
		add_route(b, &addr, g);
	}
	if (leaf->subnet6.family == 6) {
		topo_host_address(&leaf->subnet6, port, &addr); /* a /128 */
		add_route(b, &addr, g);
	}
	return 0;
}

/* A leaf: its hosts, then the other leaves it has a path to; a spine or a
 * super-spine: the leaves it has a path to. Planes that share no switch
 * have no path to each other. */
static int switch_routes(struct rbuild *b)
{
	const struct topology *t = b->t;
	const struct topo_switch *self = &t->switches[b->sw];

	if (self->role == TOPO_LEAF)
		for (int o = 0; o < b->n_own; o++)
			if (b->own[o].far->is_host && add_host_routes(b, o) < 0)
				return -1;
	for (int m = 0; m < t->n_switches; m++) {
		const struct topo_switch *leaf = &t->switches[m];

		if (m == b->sw || leaf->role != TOPO_LEAF)
			continue;
		if (add_subnet_routes(b, m) < 0)
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
	struct routes_index *ix = routes_index_new(t);
	int rc;

	if (!ix) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rc = routes_compute_indexed(ix, sw, out);
	routes_index_free(ix);
	return rc;
}

int routes_compute_indexed(const struct routes_index *ix, int sw, struct switch_routes *out)
{
	const struct topology *t = ix->t;
	struct rbuild b = { .t = t, .ix = ix, .sw = sw, .r = out };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (sw < 0 || sw >= t->n_switches)
		return -1;
	for (int p = 0; p < TOPO_MAX_PORTS; p++)
		b.port_nh[p] = -1;
	if (collect_own_links(&b) == 0 && build_via(&b) == 0 && alloc_tables(&b) == 0)
		rc = switch_routes(&b);
	free(b.own);
	free(b.via_off);
	free(b.via);
	free(b.seen);
	free(b.reach);
	free(b.visit_own);
	free(b.visit_cost);
	free(b.best);
	free(b.cand);
	free(b.idx);
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

/* Width of the prefix column: the longest prefix of the table. */
static int prefix_width(const struct switch_routes *r)
{
	int w = (int)strlen("PREFIX");

	for (int i = 0; i < r->n_routes; i++) {
		char prefix[64];
		int n;

		topo_format_prefix(&r->routes[i].prefix, prefix, sizeof(prefix));
		n = (int)strlen(prefix);
		if (n > w)
			w = n;
	}
	return w;
}

void routes_print(const struct topology *t, int sw, const struct switch_routes *r, FILE *out)
{
	const struct topo_switch *s = &t->switches[sw];
	int w = prefix_width(r);
	char where[48];

	/* where the switch is: a shared super-spine is in every plane */
	if (t->planes_joined && s->role == TOPO_SUPERSPINE)
		snprintf(where, sizeof(where), "all planes");
	else if (s->role == TOPO_SUPERSPINE || t->n_tiers < 3)
		snprintf(where, sizeof(where), "plane %d", s->plane);
	else
		snprintf(where, sizeof(where), "plane %d, pod %d", s->plane, s->pod);
	fprintf(out, "%s (%s, %s): %d routes, %d groups, %d next hops\n", s->name, topo_role_name(s->role), where,
		r->n_routes, r->n_groups, r->n_nexthops);
	fprintf(out, "%-*s  %5s  %s\n", w, "PREFIX", "GROUP", "NEXT HOPS");
	for (int i = 0; i < r->n_routes; i++) {
		const struct route_group *g = &r->groups[r->routes[i].group];
		char prefix[64];

		topo_format_prefix(&r->routes[i].prefix, prefix, sizeof(prefix));
		/* A group of several next hops takes one line per member. */
		for (int m = 0; m < g->n_members; m++) {
			if (m == 0)
				fprintf(out, "%-*s  %5d  ", w, prefix, r->routes[i].group);
			else
				fprintf(out, "%-*s  %5s  ", w, "", "");
			print_member(&r->nexthops[g->members[m]], out);
		}
	}
}
