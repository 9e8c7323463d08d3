/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Three-tier Clos: the k-ary fat trees of vm/topologies expand to the
 * counts and wiring of Al-Fares et al. (SIGCOMM 2008), and the computed
 * routes give every pair of hosts exactly the expected number of
 * equal-cost paths. Paths are counted by following the routes hop by hop,
 * as a packet would: longest-prefix match in the switch's table, every
 * member of the ECMP group, the link on the member's port to the next
 * switch, until the destination host. Joined planes are walked the same
 * way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "topo_fixtures.h"

#include "routes/routes.h"
#include "topo/topology.h"

/* --- the routes of a whole fabric, and the wire between them --------------- */

struct fabric {
	struct topology t;
	struct switch_routes *r; /* per switch */
	int *port_link;          /* [switch * TOPO_MAX_PORTS + port] -> link, or -1 */
};

static void fabric_load(struct fabric *f, const char *file, const char *yaml)
{
	struct routes_index *ix;

	if (file)
		load_file(file, &f->t);
	else
		load_string(yaml, &f->t);
	f->r = calloc(f->t.n_switches, sizeof(*f->r));
	f->port_link = malloc(sizeof(int) * f->t.n_switches * TOPO_MAX_PORTS);
	ix = routes_index_new(&f->t);
	assert_non_null(f->r);
	assert_non_null(f->port_link);
	assert_non_null(ix);
	for (int sw = 0; sw < f->t.n_switches; sw++)
		assert_int_equal(routes_compute_indexed(ix, sw, &f->r[sw]), 0);
	routes_index_free(ix);
	memset(f->port_link, 0xff, sizeof(int) * f->t.n_switches * TOPO_MAX_PORTS);
	for (int i = 0; i < f->t.n_links; i++) {
		const struct topo_link *l = &f->t.links[i];

		if (!l->a.is_host)
			f->port_link[l->a.node * TOPO_MAX_PORTS + l->a.port] = i;
		if (!l->b.is_host)
			f->port_link[l->b.node * TOPO_MAX_PORTS + l->b.port] = i;
	}
}

static void fabric_free(struct fabric *f)
{
	for (int sw = 0; sw < f->t.n_switches; sw++)
		routes_free(&f->r[sw]);
	free(f->r);
	free(f->port_link);
	topo_free(&f->t);
}

/* The end of the link on port `port` of switch sw that is not sw's. */
static const struct topo_end *wire(const struct fabric *f, int sw, int port)
{
	int i = f->port_link[sw * TOPO_MAX_PORTS + port];
	const struct topo_link *l;

	if (i < 0)
		fail_msg("switch %s has no link on port %d", f->t.switches[sw].name, port);
	l = &f->t.links[i];
	return !l->a.is_host && l->a.node == sw && l->a.port == port ? &l->b : &l->a;
}

/* The link of host h's interface `iface`: its leaf end. */
static const struct topo_end *host_leaf(const struct fabric *f, int h, int iface)
{
	for (int i = 0; i < f->t.n_links; i++) {
		const struct topo_link *l = &f->t.links[i];

		if (l->a.is_host && l->a.node == h && l->a.port == iface)
			return &l->b;
		if (l->b.is_host && l->b.node == h && l->b.port == iface)
			return &l->a;
	}
	fail_msg("host %s has no eth%d", f->t.hosts[h].name, iface);
	return NULL;
}

static bool prefix_holds(const struct topo_prefix *net, const struct topo_prefix *addr)
{
	int bytes = net->len / 8, bits = net->len % 8;
	uint8_t mask = (uint8_t)(0xff00 >> bits);

	if (net->family != addr->family || memcmp(net->addr, addr->addr, bytes) != 0)
		return false;
	return !bits || (net->addr[bytes] & mask) == (addr->addr[bytes] & mask);
}

/* Longest-prefix match, as loomd's FIB does it; NULL when no route. */
static const struct route_group *lookup(const struct switch_routes *r, const struct topo_prefix *addr)
{
	int best = -1;

	for (int i = 0; i < r->n_routes; i++)
		if (prefix_holds(&r->routes[i].prefix, addr) &&
		    (best < 0 || r->routes[i].prefix.len > r->routes[best].prefix.len))
			best = i;
	return best < 0 ? NULL : &r->groups[r->routes[best].group];
}

/* --- walking the routes toward one host interface -------------------------- */

struct walk {
	const struct fabric *f;
	int host, iface;           /* destination */
	struct topo_prefix addr;   /* its address (family 4 or 6) */
	long *paths;               /* per switch: paths from it, -1 until known */
	int *hops;                 /* per switch: switches on each of those paths */
};

static void walk_init(struct walk *w, const struct fabric *f, int host, int iface, int family)
{
	const struct topo_end *leaf = host_leaf(f, host, iface);
	const struct topo_switch *ls = &f->t.switches[leaf->node];

	w->f = f;
	w->host = host;
	w->iface = iface;
	topo_host_address(family == 4 ? &ls->subnet4 : &ls->subnet6, leaf->port, &w->addr);
	for (int sw = 0; sw < f->t.n_switches; sw++)
		w->paths[sw] = -1;
}

/* The next hop's MAC must be the far end's: the packet would not be taken
 * in otherwise. */
static void check_mac(const struct fabric *f, const struct route_nexthop *nh, const struct topo_end *far)
{
	uint8_t mac[6];

	if (far->is_host)
		topo_host_mac(far->node, far->port, mac);
	else
		topo_switch_port_mac(far->node, far->port, mac);
	assert_memory_equal(nh->mac, mac, 6);
}

/*
 * Paths from switch sw to the destination: the sum over the members of
 * its group of the paths from where each leads (so fan-outs multiply
 * along the way). Every member must lead to the same number of switches
 * (equal cost); a walk longer than 16 switches is a loop.
 */
static long paths_from(struct walk *w, int sw, int depth)
{
	const struct fabric *f = w->f;
	const struct route_group *g;
	long total = 0;
	int hops = -1;

	if (depth > 16)
		fail_msg("routing loop through %s", f->t.switches[sw].name);
	if (w->paths[sw] >= 0)
		return w->paths[sw];
	g = lookup(&f->r[sw], &w->addr);
	w->hops[sw] = 0;
	if (!g)
		return w->paths[sw] = 0;
	for (int m = 0; m < g->n_members; m++) {
		const struct route_nexthop *nh = &f->r[sw].nexthops[g->members[m]];
		const struct topo_end *far = wire(f, sw, nh->port);
		int h;

		check_mac(f, nh, far);
		if (far->is_host) {
			if (far->node != w->host || far->port != w->iface)
				fail_msg("%s delivers to %s eth%d", f->t.switches[sw].name, f->t.hosts[far->node].name,
					 far->port);
			total += 1;
			h = 1;
		} else {
			long n = paths_from(w, far->node, depth + 1);

			if (n == 0)
				fail_msg("%s sends to %s, which has no route", f->t.switches[sw].name,
					 f->t.switches[far->node].name);
			total += n;
			h = 1 + w->hops[far->node];
		}
		if (hops >= 0 && h != hops)
			fail_msg("%s: members of unequal cost (%d and %d switches)", f->t.switches[sw].name, hops, h);
		hops = h;
	}
	w->hops[sw] = hops;
	return w->paths[sw] = total;
}

/* --- fat trees ------------------------------------------------------------- */

static int count_role(const struct topology *t, enum topo_role role)
{
	int n = 0;

	for (int s = 0; s < t->n_switches; s++)
		n += t->switches[s].role == role;
	return n;
}

static void check_counts(const struct topology *t, int k)
{
	int host_links = 0, leaf_spine = 0, spine_core = 0;

	assert_int_equal(t->n_switches, 5 * k * k / 4);
	assert_int_equal(count_role(t, TOPO_LEAF), k * k / 2);
	assert_int_equal(count_role(t, TOPO_SPINE), k * k / 2);
	assert_int_equal(count_role(t, TOPO_SUPERSPINE), k * k / 4);
	assert_int_equal(t->n_hosts, k * k * k / 4);
	assert_int_equal(t->n_pods, k);
	assert_int_equal(t->n_tiers, 3);
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		int ra, rb;

		if (l->a.is_host || l->b.is_host) {
			host_links++;
			continue;
		}
		ra = t->switches[l->a.node].role;
		rb = t->switches[l->b.node].role;
		leaf_spine += ra + rb == TOPO_LEAF + TOPO_SPINE;
		spine_core += ra + rb == TOPO_SPINE + TOPO_SUPERSPINE;
	}
	assert_int_equal(host_links, k * k * k / 4);
	assert_int_equal(leaf_spine, k * k * k / 4);
	assert_int_equal(spine_core, k * k * k / 4);
	assert_int_equal(t->n_links, 3 * k * k * k / 4);
}

/* Spine i of every pod links to superspines i*k/2 .. i*k/2 + k/2 - 1 and
 * to every leaf of its pod; every switch has k ports. */
static void check_wiring(const struct topology *t, int k)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_switch *a, *b;
		int spine, core, pos;

		if (l->a.is_host || l->b.is_host)
			continue;
		a = &t->switches[l->a.node];
		b = &t->switches[l->b.node];
		if (a->role == TOPO_LEAF || b->role == TOPO_LEAF) {
			assert_int_equal(a->pod, b->pod);
			continue;
		}
		spine = a->role == TOPO_SPINE ? l->a.node : l->b.node;
		core = a->role == TOPO_SPINE ? l->b.node : l->a.node;
		assert_int_equal(sscanf(t->switches[core].name, "superspine%d", &core), 1);
		pos = atoi(t->switches[spine].name + strlen("spine")) % (k / 2); /* spine i of its pod */
		assert_in_range(core, pos * k / 2, pos * k / 2 + k / 2 - 1);
	}
	for (int s = 0; s < t->n_switches; s++)
		assert_int_equal(t->switches[s].n_ports, k);
}

enum { SAME_LEAF, SAME_POD, OTHER_POD, N_CLASSES };

/* How two leaves relate (hosts: through their plane-0 leaves). */
static int leaf_relation(const struct fabric *f, int la, int lb)
{
	if (la == lb)
		return SAME_LEAF;
	return f->t.switches[la].pod == f->t.switches[lb].pod ? SAME_POD : OTHER_POD;
}

static int relation(const struct fabric *f, int a, int b)
{
	return leaf_relation(f, host_leaf(f, a, 0)->node, host_leaf(f, b, 0)->node);
}

/*
 * Every host to every other, in one family: the paths counted from the
 * source's leaf must be want[class] (same leaf, same pod, other pod), over
 * 1, 3 or 5 switches. Returns the number of pairs per class in `pairs`.
 */
static void check_all_pairs(const struct fabric *f, const long want[N_CLASSES], int family, long pairs[N_CLASSES])
{
	static const int hops[N_CLASSES] = { 1, 3, 5 };
	struct walk w = { 0 };
	int *leaf_of = malloc(sizeof(int) * f->t.n_hosts);

	w.paths = malloc(sizeof(long) * f->t.n_switches);
	w.hops = malloc(sizeof(int) * f->t.n_switches);
	assert_non_null(leaf_of);
	for (int h = 0; h < f->t.n_hosts; h++)
		leaf_of[h] = host_leaf(f, h, 0)->node;
	memset(pairs, 0, sizeof(long) * N_CLASSES);
	for (int dst = 0; dst < f->t.n_hosts; dst++) {
		walk_init(&w, f, dst, 0, family);
		for (int src = 0; src < f->t.n_hosts; src++) {
			int c;
			long n;

			if (src == dst)
				continue;
			c = leaf_relation(f, leaf_of[src], leaf_of[dst]);
			n = paths_from(&w, leaf_of[src], 0);
			if (n != want[c] || w.hops[leaf_of[src]] != hops[c])
				fail_msg("%s IPv%d %s -> %s: %ld paths over %d switches, expected %ld over %d",
					 f->t.name, family, f->t.hosts[src].name, f->t.hosts[dst].name, n,
					 w.hops[leaf_of[src]], want[c], hops[c]);
			pairs[c]++;
		}
	}
	free(w.paths);
	free(w.hops);
	free(leaf_of);
}

static void check_fat_tree(int k, const char *file)
{
	const long want[N_CLASSES] = { 1, k / 2, (long)(k / 2) * (k / 2) };
	struct fabric f;
	long pairs[N_CLASSES];
	int n = k * k * k / 4;

	fabric_load(&f, file, NULL);
	check_counts(&f.t, k);
	check_wiring(&f.t, k);
	for (int family = 4; family <= 6; family += 2) {
		check_all_pairs(&f, want, family, pairs);
		/* every ordered pair once: (k/2 - 1) others on the leaf, k/2 (k/2) - k/2 in the pod */
		assert_int_equal(pairs[SAME_LEAF], (long)n * (k / 2 - 1));
		assert_int_equal(pairs[SAME_POD], (long)n * (k / 2) * (k / 2 - 1));
		assert_int_equal(pairs[OTHER_POD], (long)n * (n - k * k / 4));
	}
	fabric_free(&f);
}

static void test_fat_tree_k4(void **state)
{
	(void)state;
	check_fat_tree(4, "fat-tree-k4.yaml");
}

static void test_fat_tree_k8(void **state)
{
	(void)state;
	check_fat_tree(8, "fat-tree-k8.yaml");
}

static void test_fat_tree_k16(void **state)
{
	(void)state;
	check_fat_tree(16, "fat-tree-k16.yaml");
}

/* The fan-out at each switch of one path, and the hops: what the report
 * of path counts per tier shows. */
static void trace(struct walk *w, int sw, char *buf, size_t len)
{
	const struct fabric *f = w->f;
	const struct route_group *g = lookup(&f->r[sw], &w->addr);
	const struct topo_end *far = wire(f, sw, f->r[sw].nexthops[g->members[0]].port);
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s %d", used ? " x " : "", topo_role_name(f->t.switches[sw].role),
		 g->n_members);
	if (!far->is_host)
		trace(w, far->node, buf, len);
}

/* The path counts per tier of the k=8 tree, printed for the record:
 * h0 to a host on its leaf, in its pod, in another pod. */
static void test_fat_tree_k8_per_tier(void **state)
{
	static const char *const what[N_CLASSES] = { "same leaf", "same pod", "other pod" };
	static const char *const dst[N_CLASSES] = { "h1", "h4", "h127" };
	struct fabric f;
	struct walk w = { 0 };

	(void)state;
	fabric_load(&f, "fat-tree-k8.yaml", NULL);
	w.paths = malloc(sizeof(long) * f.t.n_switches);
	w.hops = malloc(sizeof(int) * f.t.n_switches);
	for (int c = 0; c < N_CLASSES; c++) {
		int d = topo_host_index(&f.t, dst[c]), leaf = host_leaf(&f, 0, 0)->node;
		char fan[256] = "";
		long n;

		assert_int_equal(relation(&f, 0, d), c);
		walk_init(&w, &f, d, 0, 4);
		n = paths_from(&w, leaf, 0);
		trace(&w, leaf, fan, sizeof(fan));
		printf("fat tree k=8, h0 -> %s (%s): %ld paths over %d switches; ECMP fan-out %s\n", dst[c], what[c], n,
		       w.hops[leaf], fan);
		assert_int_equal(n, c == SAME_LEAF ? 1 : c == SAME_POD ? 4 : 16);
	}
	free(w.paths);
	free(w.hops);
	fabric_free(&f);
}

/* --- other three-tier shapes ------------------------------------------------ */

/* three-tier.yaml: 2 spines per pod, 8 superspines in groups of 4:
 * 2 paths in a pod, 2 x 4 between pods. */
static void test_three_tier_example(void **state)
{
	static const long want[N_CLASSES] = { 1, 2, 8 };
	struct fabric f;
	long pairs[N_CLASSES];

	(void)state;
	fabric_load(&f, "three-tier.yaml", NULL);
	assert_int_equal(f.t.n_switches, 32);
	assert_int_equal(f.t.n_hosts, 64);
	assert_int_equal(f.t.n_links, 128);
	assert_int_equal(f.t.switches[topo_switch_index(&f.t, "spine0")].n_ports, 4 + 4);
	assert_int_equal(f.t.switches[topo_switch_index(&f.t, "superspine0")].n_ports, 4);
	check_all_pairs(&f, want, 4, pairs);
	assert_int_equal(pairs[OTHER_POD], 64 * 48);
	fabric_free(&f);
}

/*
 * Every spine linked to every superspine: leaf0 could also reach leaf1 of
 * its pod over spine0 -> superspine -> spine1, 5 switches instead of 3.
 * Only the shortest paths count: 2 in a pod (S), S x C x S = 8 between
 * pods, and a spine reaches the leaves of its pod only directly.
 */
static void test_full_mesh(void **state)
{
	static const long want[N_CLASSES] = { 1, 2, 8 };
	struct fabric f;
	long pairs[N_CLASSES];
	struct topo_prefix addr;
	int spine0, leaf1;

	(void)state;
	fabric_load(&f, NULL,
		    "fabric: m\ngenerate:\n  pods: 3\n  spines: 2\n  leaves: 2\n  hosts_per_leaf: 1\n"
		    "  superspines: 2\n  superspine_links: full\n");
	assert_int_equal(f.t.n_links, 6 + 12 + 12);
	assert_int_equal(f.t.switches[topo_switch_index(&f.t, "superspine1")].n_ports, 3 * 2);
	check_all_pairs(&f, want, 4, pairs);
	check_all_pairs(&f, want, 6, pairs);
	spine0 = topo_switch_index(&f.t, "spine0");
	leaf1 = topo_switch_index(&f.t, "leaf1");
	topo_host_address(&f.t.switches[leaf1].subnet4, 0, &addr);
	assert_int_equal(lookup(&f.r[spine0], &addr)->n_members, 1);
	fabric_free(&f);
}

/* --- joined planes ---------------------------------------------------------- */

/*
 * Two planes of a k=4 fat tree. Joined, superspine c links to spine c/2 of
 * every pod of both planes, so from a leaf of plane 0 every subnet of
 * plane 1 is 5 switches away over (k/2)^2 = 4 paths: up to the core is the
 * only way across, even to the leaf in the same place in plane 1.
 */
#define TWO_PLANE_K4(joined)                                                      \
	"fabric: j\ngenerate:\n  fat_tree: { k: 4 }\n  planes: 2\n  planes_joined: " joined "\n"

/* Every host interface to the destination of walk w (already set up):
 * within a plane as in one k=4 tree, across planes 4 paths over 5
 * switches. */
static void check_joined_to(struct walk *w, int family)
{
	const struct fabric *f = w->f;

	for (int src = 0; src < f->t.n_hosts; src++) {
		for (int from = 0; from < 2; from++) {
			int leaf = host_leaf(f, src, from)->node;
			int c = relation(f, src, w->host);
			long want = from != w->iface ? 4 : c == SAME_LEAF ? 1 : c == SAME_POD ? 2 : 4;
			long n;

			if (src == w->host && from == w->iface)
				continue;
			n = paths_from(w, leaf, 0);
			if (n != want)
				fail_msg("IPv%d %s eth%d -> %s eth%d: %ld paths, expected %ld", family,
					 f->t.hosts[src].name, from, f->t.hosts[w->host].name, w->iface, n, want);
			if (from != w->iface)
				assert_int_equal(w->hops[leaf], 5);
		}
	}
}

static void test_planes_joined_paths(void **state)
{
	struct fabric f;
	struct walk w = { 0 };
	int shared = 0;

	(void)state;
	fabric_load(&f, NULL, TWO_PLANE_K4("true"));
	assert_int_equal(f.t.n_switches, 4 + 2 * 16);
	assert_int_equal(f.t.n_links, 2 * 48);
	for (int s = 0; s < f.t.n_switches; s++)
		shared += f.t.switches[s].role == TOPO_SUPERSPINE;
	assert_int_equal(shared, 4);
	assert_string_equal(f.t.switches[0].name, "superspine0");
	assert_int_equal(f.t.switches[0].n_ports, 8); /* 4 pods x 2 planes */
	w.paths = malloc(sizeof(long) * f.t.n_switches);
	w.hops = malloc(sizeof(int) * f.t.n_switches);
	for (int family = 4; family <= 6; family += 2) {
		for (int dst = 0; dst < f.t.n_hosts; dst++) {
			for (int iface = 0; iface < 2; iface++) {
				walk_init(&w, &f, dst, iface, family);
				check_joined_to(&w, family);
			}
		}
	}
	free(w.paths);
	free(w.hops);
	fabric_free(&f);
}

/* Independent planes (the default): each has its own superspines, and no
 * switch has a route into the other plane. */
static void test_planes_independent(void **state)
{
	struct fabric f;
	struct topo_prefix addr;

	(void)state;
	fabric_load(&f, NULL, TWO_PLANE_K4("false"));
	assert_int_equal(f.t.n_switches, 2 * 20);
	assert_int_not_equal(topo_switch_index(&f.t, "p1-superspine3"), -1);
	for (int sw = 0; sw < f.t.n_switches; sw++) {
		for (int l = 0; l < f.t.n_switches; l++) {
			const struct topo_switch *leaf = &f.t.switches[l];

			if (leaf->role != TOPO_LEAF || l == sw)
				continue;
			topo_host_address(&leaf->subnet4, 0, &addr);
			if (leaf->plane == f.t.switches[sw].plane)
				assert_non_null(lookup(&f.r[sw], &addr));
			else
				assert_null(lookup(&f.r[sw], &addr));
		}
	}
	fabric_free(&f);
}

/* The smaller example file: 2 spines per pod, 1 superspine per spine. */
static void test_two_plane_joined_example(void **state)
{
	struct fabric f;
	struct walk w = { 0 };
	int h5 = -1;

	(void)state;
	fabric_load(&f, "two-plane-joined.yaml", NULL);
	assert_true(f.t.planes_joined);
	assert_int_equal(f.t.n_planes, 2);
	assert_int_equal(f.t.n_switches, 18);
	assert_int_equal(f.t.n_hosts, 8);
	assert_int_equal(f.t.n_links, 40);
	h5 = topo_host_index(&f.t, "h5");
	w.paths = malloc(sizeof(long) * f.t.n_switches);
	w.hops = malloc(sizeof(int) * f.t.n_switches);
	/* p0-leaf0 to h5 (pod 1) on eth1: 2 spines x 1 superspine each */
	walk_init(&w, &f, h5, 1, 4);
	assert_int_equal(paths_from(&w, topo_switch_index(&f.t, "p0-leaf0"), 0), 2);
	assert_int_equal(w.hops[topo_switch_index(&f.t, "p0-leaf0")], 5);
	/* within plane 1 and pod 1: through the pod's 2 spines only */
	assert_int_equal(paths_from(&w, topo_switch_index(&f.t, "p1-leaf3"), 0), 2);
	assert_int_equal(w.hops[topo_switch_index(&f.t, "p1-leaf3")], 3);
	free(w.paths);
	free(w.hops);
	fabric_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fat_tree_k4),
		cmocka_unit_test(test_fat_tree_k8),
		cmocka_unit_test(test_fat_tree_k16),
		cmocka_unit_test(test_fat_tree_k8_per_tier),
		cmocka_unit_test(test_three_tier_example),
		cmocka_unit_test(test_full_mesh),
		cmocka_unit_test(test_planes_joined_paths),
		cmocka_unit_test(test_planes_independent),
		cmocka_unit_test(test_two_plane_joined_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
