/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route computation: exact routes of the demo fabric, plane separation,
 * oversubscribed fabrics, missing and parallel links, and sharing of
 * groups and next hops. Expected MACs are written out literally from the
 * documented addressing (docs/TOPOLOGY.md) rather than computed with the
 * helpers under test.
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


/* An expected group member: egress port and destination MAC. */
struct member {
	int port;
	const char *mac;
};


static void compute(const struct topology *t, const char *sw, struct switch_routes *r)
{
	int i = topo_switch_index(t, sw);

	assert_true(i >= 0);
	assert_int_equal(routes_compute(t, i, r), 0);
}

static void format_route(const struct switch_routes *r, int i, char *buf, size_t len)
{
	topo_format_prefix(&r->routes[i].prefix, buf, len);
}

/* Index of the route to `prefix` ("10.0.1.0/24"), -1 if there is none. */
static int find_route(const struct switch_routes *r, const char *prefix)
{
	char buf[64];

	for (int i = 0; i < r->n_routes; i++) {
		format_route(r, i, buf, sizeof(buf));
		if (!strcmp(buf, prefix))
			return i;
	}
	return -1;
}

static int group_of(const struct switch_routes *r, const char *prefix)
{
	int i = find_route(r, prefix);

	if (i < 0)
		fail_msg("no route to %s", prefix);
	return r->routes[i].group;
}

/* The group of the route to `prefix` has exactly the members `m` (any order). */
static void expect_group(const struct switch_routes *r, const char *prefix, const struct member *m, int n)
{
	const struct route_group *g = &r->groups[group_of(r, prefix)];

	assert_int_equal(g->n_members, n);
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (int k = 0; k < g->n_members; k++) {
			const struct route_nexthop *nh = &r->nexthops[g->members[k]];
			char mac[ROUTES_MAC_STRLEN];

			routes_format_mac(nh->mac, mac);
			if (nh->port == m[i].port && !strcmp(mac, m[i].mac))
				found = true;
		}
		if (!found)
			fail_msg("%s: no member port %d -> %s", prefix, m[i].port, m[i].mac);
	}
}

/* The routes are exactly `prefixes`, in this order. */
static void expect_routes(const struct switch_routes *r, const char *const *prefixes, int n)
{
	char buf[64];

	assert_int_equal(r->n_routes, n);
	for (int i = 0; i < n; i++) {
		format_route(r, i, buf, sizeof(buf));
		assert_string_equal(buf, prefixes[i]);
	}
}

static int prefix_cmp(const struct topo_prefix *a, const struct topo_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family - b->family;
	c = memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
	return c ? c : a->len - b->len;
}

/*
 * What must hold for any switch: routes strictly sorted; every route's
 * group exists; groups are non-empty, without repeated members and
 * pairwise different; next hops are distinct and leave through ports that
 * have a link; every group and next hop is used.
 */
static void check_well_formed(const struct topology *t, int sw, const struct switch_routes *r)
{
	bool *g_used = calloc(r->n_groups + 1, sizeof(bool));
	bool *nh_used = calloc(r->n_nexthops + 1, sizeof(bool));

	assert_non_null(g_used);
	assert_non_null(nh_used);
	for (int i = 0; i < r->n_routes; i++) {
		if (i > 0)
			assert_true(prefix_cmp(&r->routes[i - 1].prefix, &r->routes[i].prefix) < 0);
		assert_in_range(r->routes[i].group, 0, r->n_groups - 1);
		g_used[r->routes[i].group] = true;
	}
	for (int g = 0; g < r->n_groups; g++) {
		const struct route_group *grp = &r->groups[g];

		assert_true(g_used[g]);
		assert_true(grp->n_members > 0);
		for (int m = 0; m < grp->n_members; m++) {
			assert_in_range(grp->members[m], 0, r->n_nexthops - 1);
			nh_used[grp->members[m]] = true;
			for (int k = 0; k < m; k++)
				assert_int_not_equal(grp->members[k], grp->members[m]);
		}
		for (int h = 0; h < g; h++)
			assert_false(r->groups[h].n_members == grp->n_members &&
				     !memcmp(r->groups[h].members, grp->members, grp->n_members * sizeof(int)));
	}
	for (int i = 0; i < r->n_nexthops; i++) {
		assert_true(nh_used[i]);
		assert_true(topo_switch_port_linked(t, sw, r->nexthops[i].port));
		for (int k = 0; k < i; k++)
			assert_false(r->nexthops[k].port == r->nexthops[i].port &&
				     !memcmp(r->nexthops[k].mac, r->nexthops[i].mac, 6));
	}
	free(g_used);
	free(nh_used);
}

static void check_all_well_formed(const struct topology *t)
{
	for (int sw = 0; sw < t->n_switches; sw++) {
		struct switch_routes r;

		assert_int_equal(routes_compute(t, sw, &r), 0);
		check_well_formed(t, sw, &r);
		routes_free(&r);
	}
}

/* --- default.yaml: 2 spines, 4 leaves, 2 hosts per leaf ------------------- */

static void test_default_leaf0(void **state)
{
	static const char *const prefixes[] = {
		"10.0.0.2/32",  "10.0.0.3/32",   "10.0.1.0/24",     "10.0.2.0/24",     "10.0.3.0/24",
		"fd00::2/128",  "fd00::3/128",   "fd00:0:0:1::/64", "fd00:0:0:2::/64", "fd00:0:0:3::/64",
	};
	/* leaf0 port 2 -> spine0 (switch 0) port 0, port 3 -> spine1 (switch 1) port 0 */
	static const struct member up[] = { { 2, "02:4c:00:00:00:00" }, { 3, "02:4c:00:01:00:00" } };
	static const struct member h0[] = { { 0, "02:48:00:00:00:00" } };
	static const struct member h1[] = { { 1, "02:48:00:01:00:00" } };
	static const char *const remote[] = { "10.0.1.0/24",     "10.0.2.0/24",     "10.0.3.0/24",
					      "fd00:0:0:1::/64", "fd00:0:0:2::/64", "fd00:0:0:3::/64" };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_file("default.yaml", &t);
	compute(&t, "leaf0", &r);
	expect_routes(&r, prefixes, 10);
	expect_group(&r, "10.0.0.2/32", h0, 1);
	expect_group(&r, "fd00::2/128", h0, 1);
	expect_group(&r, "10.0.0.3/32", h1, 1);
	expect_group(&r, "fd00::3/128", h1, 1);
	for (int i = 0; i < 6; i++)
		expect_group(&r, remote[i], up, 2);
	/* All six remote routes share one group; the two hosts' routes one each. */
	assert_int_equal(r.n_groups, 3);
	assert_int_equal(r.n_nexthops, 4);
	assert_string_equal(r.nexthops[r.groups[group_of(&r, "10.0.0.2/32")].members[0]].peer, "h0");
	check_well_formed(&t, topo_switch_index(&t, "leaf0"), &r);
	routes_free(&r);
	topo_free(&t);
}

static void test_default_leaf3(void **state)
{
	/* leaf3 (switch 5) port 2 -> spine0 port 3, port 3 -> spine1 port 3 */
	static const struct member up[] = { { 2, "02:4c:00:00:00:03" }, { 3, "02:4c:00:01:00:03" } };
	static const struct member h7[] = { { 1, "02:48:00:07:00:00" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_file("default.yaml", &t);
	compute(&t, "leaf3", &r);
	assert_int_equal(r.n_routes, 10);
	expect_group(&r, "10.0.3.3/32", h7, 1);
	expect_group(&r, "fd00:0:0:3::3/128", h7, 1);
	expect_group(&r, "10.0.0.0/24", up, 2);
	expect_group(&r, "fd00::/64", up, 2);
	assert_int_equal(find_route(&r, "10.0.3.0/24"), -1); /* not its own subnet */
	routes_free(&r);
	topo_free(&t);
}

static void test_default_spines(void **state)
{
	static const char *const prefixes[] = {
		"10.0.0.0/24", "10.0.1.0/24",     "10.0.2.0/24",     "10.0.3.0/24",
		"fd00::/64",   "fd00:0:0:1::/64", "fd00:0:0:2::/64", "fd00:0:0:3::/64",
	};
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_file("default.yaml", &t);
	for (int s = 0; s < 2; s++) {
		char name[16];

		snprintf(name, sizeof(name), "spine%d", s);
		compute(&t, name, &r);
		expect_routes(&r, prefixes, 8);
		assert_int_equal(r.n_groups, 4);
		assert_int_equal(r.n_nexthops, 4);
		for (int l = 0; l < 4; l++) {
			/* spine port l -> leaf l (switch 2 + l) port 2 + s */
			char mac[ROUTES_MAC_STRLEN];
			struct member m = { l, mac };

			snprintf(mac, sizeof(mac), "02:4c:00:%02x:00:%02x", 2 + l, 2 + s);
			expect_group(&r, prefixes[l], &m, 1);
			expect_group(&r, prefixes[4 + l], &m, 1);
		}
		routes_free(&r);
	}
	check_all_well_formed(&t);
	topo_free(&t);
}

static void test_routes_print(void **state)
{
	struct topology t;
	struct switch_routes r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	load_file("default.yaml", &t);
	compute(&t, "leaf0", &r);
	routes_print(&t, topo_switch_index(&t, "leaf0"), &r, f);
	fclose(f);
	assert_non_null(strstr(buf, "leaf0"));
	assert_non_null(strstr(buf, "10.0.0.2/32"));
	assert_non_null(strstr(buf, "fd00:0:0:3::/64"));
	assert_non_null(strstr(buf, "port 0 -> h0 (02:48:00:00:00:00)"));
	assert_non_null(strstr(buf, "port 2 -> spine0:0 (02:4c:00:00:00:00)"));
	assert_non_null(strstr(buf, "port 3 -> spine1:0 (02:4c:00:01:00:00)"));
	free(buf);
	routes_free(&r);
	topo_free(&t);
}

/* --- two-plane-4x8.yaml: planes never route into each other -------------- */

static bool prefix_within(const struct topo_prefix *p, const struct topo_prefix *net)
{
	if (p->family != net->family || p->len < net->len)
		return false;
	for (int bit = 0; bit < net->len; bit++) {
		uint8_t mask = 0x80 >> (bit % 8);

		if ((p->addr[bit / 8] & mask) != (net->addr[bit / 8] & mask))
			return false;
	}
	return true;
}

/* The plane of the leaf whose subnet holds p, or -1. */
static int plane_of_prefix(const struct topology *t, const struct topo_prefix *p)
{
	for (int i = 0; i < t->n_switches; i++) {
		const struct topo_switch *s = &t->switches[i];

		if (s->role == TOPO_LEAF && (prefix_within(p, &s->subnet4) || prefix_within(p, &s->subnet6)))
			return s->plane;
	}
	return -1;
}

static void test_two_planes(void **state)
{
	struct topology t;

	(void)state;
	load_file("two-plane-4x8.yaml", &t);
	assert_int_equal(t.n_planes, 2);
	for (int sw = 0; sw < t.n_switches; sw++) {
		const struct topo_switch *s = &t.switches[sw];
		struct switch_routes r;

		assert_int_equal(routes_compute(&t, sw, &r), 0);
		/* leaf: 2 hosts x 2 families + 7 other leaves x 2; spine: 8 leaves x 2 */
		assert_int_equal(r.n_routes, s->role == TOPO_LEAF ? 18 : 16);
		for (int i = 0; i < r.n_routes; i++)
			assert_int_equal(plane_of_prefix(&t, &r.routes[i].prefix), s->plane);
		for (int i = 0; i < r.n_nexthops; i++) {
			/* Switch MACs carry the peer's index: it must be in our plane. */
			const uint8_t *mac = r.nexthops[i].mac;

			if (mac[1] == 0x4c)
				assert_int_equal(t.switches[mac[2] << 8 | mac[3]].plane, s->plane);
		}
		for (int i = 0; i < r.n_routes; i++) {
			/* remote leaves through one uplink per spine of the plane */
			int n = r.routes[i].prefix.len == 24 || r.routes[i].prefix.len == 64 ? 4 : 1;

			if (s->role == TOPO_SPINE)
				n = 1;
			assert_int_equal(r.groups[r.routes[i].group].n_members, n);
		}
		assert_int_equal(r.n_groups, s->role == TOPO_LEAF ? 3 : 8);
		check_well_formed(&t, sw, &r);
		routes_free(&r);
	}
	topo_free(&t);
}

static void test_two_planes_named(void **state)
{
	/* p1-leaf0 (switch 12 + 4 = 16) ports 2..5 -> p1-spine0..3 (12..15) port 0 */
	static const struct member up[] = {
		{ 2, "02:4c:00:0c:00:00" },
		{ 3, "02:4c:00:0d:00:00" },
		{ 4, "02:4c:00:0e:00:00" },
		{ 5, "02:4c:00:0f:00:00" },
	};
	/* h1 is on leaf 0 port 1 of both planes; in plane 1 through eth1 */
	static const struct member h1[] = { { 1, "02:48:00:01:00:01" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_file("two-plane-4x8.yaml", &t);
	compute(&t, "p1-leaf0", &r);
	expect_group(&r, "10.1.7.0/24", up, 4);
	expect_group(&r, "fd00:0:1:7::/64", up, 4);
	expect_group(&r, "10.1.0.3/32", h1, 1);
	assert_int_equal(find_route(&r, "10.0.7.0/24"), -1);
	assert_int_equal(find_route(&r, "10.0.0.3/32"), -1);
	routes_free(&r);
	topo_free(&t);
}

/* --- oversubscribed.yaml: 4 hosts, 2 uplinks per leaf --------------------- */

static void test_oversubscribed(void **state)
{
	/* leaf1 (switch 3) ports 4, 5 -> spine0, spine1 port 1 */
	static const struct member up[] = { { 4, "02:4c:00:00:00:01" }, { 5, "02:4c:00:01:00:01" } };
	static const struct member h7[] = { { 3, "02:48:00:07:00:00" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_file("oversubscribed.yaml", &t);
	compute(&t, "leaf1", &r);
	assert_int_equal(r.n_routes, 4 * 2 + 3 * 2);
	assert_int_equal(r.n_groups, 5);
	assert_int_equal(r.n_nexthops, 6);
	expect_group(&r, "10.0.1.5/32", h7, 1);
	expect_group(&r, "fd00:0:0:1::5/128", h7, 1);
	expect_group(&r, "10.0.3.0/24", up, 2);
	routes_free(&r);
	compute(&t, "spine1", &r);
	assert_int_equal(r.n_routes, 8);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/* --- explicit fabrics ------------------------------------------------------ */

/*
 * spine1 has no link to leaf2, and leaf2 has no IPv6 subnet. Switches:
 * spine0 0, spine1 1, leaf0 2, leaf1 3, leaf2 4, leaf3 5; hosts h0 0, h2 1.
 */
static const char missing_link_yaml[] = "fabric: t\n"
					"switches:\n"
					"  - { name: spine0, role: spine }\n"
					"  - { name: spine1, role: spine }\n"
					"  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24, ipv6: \"fd00:0:0:0::/64\" }\n"
					"  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24, ipv6: \"fd00:0:0:1::/64\" }\n"
					"  - { name: leaf2, role: leaf, ipv4: 10.0.2.0/24 }\n"
					"  - { name: leaf3, role: leaf, ipv4: 10.0.3.0/24, ipv6: \"fd00:0:0:3::/64\" }\n"
					"hosts:\n"
					"  - name: h0\n"
					"  - name: h2\n"
					"links:\n"
					"  - { a: h0, b: \"leaf0:0\" }\n"
					"  - { a: h2, b: \"leaf2:0\" }\n"
					"  - { a: \"leaf0:1\", b: \"spine0:0\" }\n"
					"  - { a: \"leaf0:2\", b: \"spine1:0\" }\n"
					"  - { a: \"leaf1:1\", b: \"spine0:1\" }\n"
					"  - { a: \"leaf1:2\", b: \"spine1:1\" }\n"
					"  - { a: \"leaf2:1\", b: \"spine0:2\" }\n"
					"  - { a: \"spine1:3\", b: \"leaf3:2\" }\n"
					"  - { a: \"leaf3:1\", b: \"spine0:3\" }\n";

static void test_missing_link_leaf(void **state)
{
	static const char *const prefixes[] = {
		"10.0.0.2/32", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24",
		"fd00::2/128", "fd00:0:0:1::/64", "fd00:0:0:3::/64",
	};
	static const struct member both[] = { { 1, "02:4c:00:00:00:00" }, { 2, "02:4c:00:01:00:00" } };
	static const struct member spine0[] = { { 1, "02:4c:00:00:00:00" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(missing_link_yaml, &t);
	compute(&t, "leaf0", &r);
	expect_routes(&r, prefixes, 7);
	expect_group(&r, "10.0.1.0/24", both, 2);
	expect_group(&r, "fd00:0:0:3::/64", both, 2);
	/* spine1 cannot reach leaf2: only spine0 is used toward it */
	expect_group(&r, "10.0.2.0/24", spine0, 1);
	/* leaf1 and leaf3 share a group; spine0's next hop is in two groups */
	assert_int_equal(group_of(&r, "10.0.1.0/24"), group_of(&r, "10.0.3.0/24"));
	assert_int_equal(r.n_groups, 3);
	assert_int_equal(r.n_nexthops, 3);
	check_well_formed(&t, topo_switch_index(&t, "leaf0"), &r);
	routes_free(&r);
	topo_free(&t);
}

static void test_missing_link_other_switches(void **state)
{
	static const struct member via_spine0[] = { { 1, "02:4c:00:00:00:02" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(missing_link_yaml, &t);

	/* spine1 has no route to leaf2 at all */
	compute(&t, "spine1", &r);
	assert_int_equal(r.n_routes, 6);
	assert_int_equal(find_route(&r, "10.0.2.0/24"), -1);
	/* a link written switch-first or leaf-first is the same */
	expect_group(&r, "10.0.3.0/24", (const struct member[]){ { 3, "02:4c:00:05:00:02" } }, 1);
	routes_free(&r);

	/* leaf2: one uplink; its host gets no /128 without an IPv6 subnet */
	compute(&t, "leaf2", &r);
	assert_int_equal(r.n_routes, 1 + 6);
	assert_int_not_equal(find_route(&r, "10.0.2.2/32"), -1);
	expect_group(&r, "10.0.0.0/24", via_spine0, 1);
	expect_group(&r, "fd00:0:0:3::/64", via_spine0, 1);
	assert_int_equal(r.n_groups, 2);
	routes_free(&r);

	/* leaf1 has no hosts: only the 5 remote routes */
	compute(&t, "leaf1", &r);
	assert_int_equal(r.n_routes, 5);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/* Two links between spine0 and leaf0. Switches: spine0 0, leaf0 1, leaf1 2. */
static const char parallel_yaml[] = "fabric: t\n"
				    "switches:\n"
				    "  - { name: spine0, role: spine }\n"
				    "  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"
				    "  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }\n"
				    "links:\n"
				    "  - { a: \"leaf0:1\", b: \"spine0:0\" }\n"
				    "  - { a: \"leaf0:2\", b: \"spine0:1\" }\n"
				    "  - { a: \"leaf1:1\", b: \"spine0:2\" }\n";

static void test_parallel_links(void **state)
{
	static const struct member down[] = { { 0, "02:4c:00:01:00:01" }, { 1, "02:4c:00:01:00:02" } };
	static const struct member down1[] = { { 2, "02:4c:00:02:00:01" } };
	static const struct member up0[] = { { 1, "02:4c:00:00:00:00" }, { 2, "02:4c:00:00:00:01" } };
	static const struct member up1[] = { { 1, "02:4c:00:00:00:02" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(parallel_yaml, &t);
	compute(&t, "spine0", &r);
	assert_int_equal(r.n_routes, 2);
	expect_group(&r, "10.0.0.0/24", down, 2);
	expect_group(&r, "10.0.1.0/24", down1, 1);
	routes_free(&r);

	compute(&t, "leaf0", &r);
	assert_int_equal(r.n_routes, 1);
	expect_group(&r, "10.0.1.0/24", up0, 2);
	routes_free(&r);

	compute(&t, "leaf1", &r);
	expect_group(&r, "10.0.0.0/24", up1, 1);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/* Connected, but leaf0 and leaf2 share no spine: no route between them. */
static const char chain_yaml[] = "fabric: t\n"
				 "switches:\n"
				 "  - { name: spine0, role: spine }\n"
				 "  - { name: spine1, role: spine }\n"
				 "  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"
				 "  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }\n"
				 "  - { name: leaf2, role: leaf, ipv4: 10.0.2.0/24 }\n"
				 "links:\n"
				 "  - { a: \"leaf0:0\", b: \"spine0:0\" }\n"
				 "  - { a: \"leaf1:0\", b: \"spine0:1\" }\n"
				 "  - { a: \"leaf1:1\", b: \"spine1:1\" }\n"
				 "  - { a: \"leaf2:1\", b: \"spine1:2\" }\n";

static void test_no_two_hop_path(void **state)
{
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(chain_yaml, &t);
	compute(&t, "leaf0", &r);
	assert_int_equal(r.n_routes, 1);
	assert_int_not_equal(find_route(&r, "10.0.1.0/24"), -1);
	assert_int_equal(find_route(&r, "10.0.2.0/24"), -1);
	routes_free(&r);
	compute(&t, "leaf1", &r);
	assert_int_equal(r.n_routes, 2);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/* --- three tiers ----------------------------------------------------------- */

/*
 * Two pods joined by two superspines. Switches: ss0 0, ss1 1, sp0 2, sp1 3
 * (pod 0), sp2 4 (pod 1), l0 5, l1 6 (pod 0), l2 7 (pod 1); hosts h0 on
 * l0, h2 on l2. `extra` and `sp1_ss1` vary the spine-superspine links.
 */
#define THREE_TIER(sp1_ss1, extra)                                                      \
	"fabric: t\n"                                                                   \
	"switches:\n"                                                                   \
	"  - { name: ss0, role: superspine }\n"                                         \
	"  - { name: ss1, role: superspine }\n"                                         \
	"  - { name: sp0, role: spine }\n"                                              \
	"  - { name: sp1, role: spine, pod: 0 }\n"                                      \
	"  - { name: sp2, role: spine, pod: 1 }\n"                                      \
	"  - { name: l0, role: leaf, ipv4: 10.0.0.0/24, ipv6: \"fd00::/64\" }\n"        \
	"  - { name: l1, role: leaf, ipv4: 10.0.1.0/24 }\n"                             \
	"  - { name: l2, role: leaf, pod: 1, ipv4: 10.0.2.0/24, ipv6: \"fd00:0:0:2::/64\" }\n" \
	"hosts:\n  - name: h0\n  - name: h2\n"                                          \
	"links:\n"                                                                      \
	"  - { a: h0, b: \"l0:0\" }\n"                                                  \
	"  - { a: h2, b: \"l2:0\" }\n"                                                  \
	"  - { a: \"l0:1\", b: \"sp0:0\" }\n"                                           \
	"  - { a: \"l0:2\", b: \"sp1:0\" }\n"                                           \
	"  - { a: \"l1:1\", b: \"sp0:1\" }\n"                                           \
	"  - { a: \"l1:2\", b: \"sp1:1\" }\n"                                           \
	"  - { a: \"l2:1\", b: \"sp2:0\" }\n"                                           \
	"  - { a: \"sp0:2\", b: \"ss0:0\" }\n"                                          \
	"  - { a: \"sp2:1\", b: \"ss0:1\" }\n"                                          \
	"  - { a: \"sp2:2\", b: \"ss1:1\" }\n"                                          \
	sp1_ss1 extra
#define SP1_SS1 "  - { a: \"sp1:2\", b: \"ss1:0\" }\n"

static void test_three_tier_routes(void **state)
{
	static const struct member up[] = { { 1, "02:4c:00:02:00:00" }, { 2, "02:4c:00:03:00:00" } };
	static const struct member sp0_l0[] = { { 0, "02:4c:00:05:00:01" } };
	static const struct member sp0_up[] = { { 2, "02:4c:00:00:00:00" } };
	static const struct member ss0_pod0[] = { { 0, "02:4c:00:02:00:02" } };
	static const struct member ss0_pod1[] = { { 1, "02:4c:00:04:00:01" } };
	static const struct member sp2_up[] = { { 1, "02:4c:00:00:00:01" }, { 2, "02:4c:00:01:00:01" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(THREE_TIER(SP1_SS1, ""), &t);
	/* a leaf: its pod and the other pod through both spines */
	compute(&t, "l0", &r);
	assert_int_equal(r.n_routes, 2 + 2 + 1); /* h0 x 2, l2 x 2, l1 */
	expect_group(&r, "10.0.1.0/24", up, 2);
	expect_group(&r, "10.0.2.0/24", up, 2);
	expect_group(&r, "fd00:0:0:2::/64", up, 2);
	routes_free(&r);
	/* a spine: its pod's leaves down, the other pod up */
	compute(&t, "sp0", &r);
	assert_int_equal(r.n_routes, 5);
	expect_group(&r, "10.0.0.0/24", sp0_l0, 1);
	expect_group(&r, "fd00::/64", sp0_l0, 1);
	expect_group(&r, "10.0.2.0/24", sp0_up, 1);
	routes_free(&r);
	compute(&t, "sp2", &r);
	expect_group(&r, "10.0.0.0/24", sp2_up, 2);
	expect_group(&r, "10.0.1.0/24", sp2_up, 2);
	routes_free(&r);
	/* a superspine: every pod down */
	compute(&t, "ss0", &r);
	assert_int_equal(r.n_routes, 5);
	expect_group(&r, "10.0.0.0/24", ss0_pod0, 1);
	expect_group(&r, "10.0.1.0/24", ss0_pod0, 1);
	expect_group(&r, "10.0.2.0/24", ss0_pod1, 1);
	assert_int_equal(r.n_groups, 2);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/* Without sp1 - ss1, sp1 has no way to pod 1, and ss1 none to pod 0. */
static void test_three_tier_missing_uplink(void **state)
{
	static const struct member via_sp0[] = { { 1, "02:4c:00:02:00:00" } };
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(THREE_TIER("", ""), &t);
	compute(&t, "l0", &r);
	expect_group(&r, "10.0.2.0/24", via_sp0, 1);
	assert_int_equal(r.groups[group_of(&r, "10.0.1.0/24")].n_members, 2);
	routes_free(&r);
	compute(&t, "sp1", &r);
	assert_int_equal(find_route(&r, "10.0.2.0/24"), -1);
	assert_int_equal(r.n_routes, 3);
	routes_free(&r);
	compute(&t, "ss1", &r);
	assert_int_equal(r.n_routes, 2); /* l2 only */
	assert_int_equal(find_route(&r, "10.0.0.0/24"), -1);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
}

/*
 * sp0 also links to ss1, and l1 loses its link to sp1. sp1 then reaches
 * l1 up and down again (sp1 -> ss1 -> sp0 -> l1), while l0 keeps to the
 * shorter way through sp0 alone: only least-cost paths make a group.
 */
static void test_three_tier_least_cost(void **state)
{
	static const struct member sp1_up[] = { { 2, "02:4c:00:01:00:00" } };
	static const struct member via_sp0[] = { { 1, "02:4c:00:02:00:00" } };
	static const struct member ss1_down[] = { { 2, "02:4c:00:02:00:03" } };
	struct topology t;
	struct switch_routes r;
	char *yaml = strdup(THREE_TIER(SP1_SS1, "  - { a: \"sp0:3\", b: \"ss1:2\" }\n"));
	char *cut = strstr(yaml, "  - { a: \"l1:2\", b: \"sp1:1\" }\n");

	(void)state;
	memset(cut, ' ', strlen("  - { a: \"l1:2\", b: \"sp1:1\" }")); /* a blank line */
	load_string(yaml, &t);
	compute(&t, "sp1", &r);
	expect_group(&r, "10.0.1.0/24", sp1_up, 1);
	routes_free(&r);
	compute(&t, "ss1", &r);
	expect_group(&r, "10.0.1.0/24", ss1_down, 1);
	routes_free(&r);
	compute(&t, "l0", &r);
	expect_group(&r, "10.0.1.0/24", via_sp0, 1);
	assert_int_equal(r.groups[group_of(&r, "10.0.2.0/24")].n_members, 2);
	routes_free(&r);
	check_all_well_formed(&t);
	topo_free(&t);
	free(yaml);
}

static void test_three_tier_print(void **state)
{
	struct topology t;
	struct switch_routes r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	load_string(THREE_TIER(SP1_SS1, ""), &t);
	compute(&t, "ss0", &r);
	routes_print(&t, topo_switch_index(&t, "ss0"), &r, f);
	routes_free(&r);
	compute(&t, "sp2", &r);
	routes_print(&t, topo_switch_index(&t, "sp2"), &r, f);
	fclose(f);
	assert_non_null(strstr(buf, "ss0 (superspine, plane 0): 5 routes, 2 groups, 2 next hops\n"));
	assert_non_null(strstr(buf, "sp2 (spine, plane 0, pod 1): "));
	assert_non_null(strstr(buf, "port 1 -> sp2:1 (02:4c:00:04:00:01)"));
	free(buf);
	routes_free(&r);
	topo_free(&t);
}

/* The index gives the same routes as single computations. */
static void test_index(void **state)
{
	struct topology t;
	struct routes_index *ix;

	(void)state;
	load_file("two-plane-4x8.yaml", &t);
	ix = routes_index_new(&t);
	assert_non_null(ix);
	for (int sw = 0; sw < t.n_switches; sw++) {
		struct switch_routes a, b;
		int n;
		const int *lk = routes_index_links(ix, sw, &n);

		/* leaves: 2 hosts + 4 spines; spines: 8 leaves */
		assert_int_equal(n, t.switches[sw].role == TOPO_LEAF ? 6 : 8);
		for (int i = 1; i < n; i++)
			assert_true(lk[i - 1] < lk[i]);
		assert_int_equal(routes_compute(&t, sw, &a), 0);
		assert_int_equal(routes_compute_indexed(ix, sw, &b), 0);
		assert_int_equal(a.n_routes, b.n_routes);
		assert_int_equal(a.n_groups, b.n_groups);
		assert_int_equal(a.n_nexthops, b.n_nexthops);
		assert_memory_equal(a.routes, b.routes, a.n_routes * sizeof(*a.routes));
		assert_memory_equal(a.nexthops, b.nexthops, a.n_nexthops * sizeof(*a.nexthops));
		routes_free(&a);
		routes_free(&b);
	}
	routes_index_free(ix);
	topo_free(&t);
}

static void test_bad_switch(void **state)
{
	struct topology t;
	struct switch_routes r;

	(void)state;
	load_string(parallel_yaml, &t);
	assert_int_equal(routes_compute(&t, -1, &r), -1);
	assert_int_equal(routes_compute(&t, t.n_switches, &r), -1);
	routes_free(&r); /* harmless after a failure */
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_leaf0),
		cmocka_unit_test(test_default_leaf3),
		cmocka_unit_test(test_default_spines),
		cmocka_unit_test(test_routes_print),
		cmocka_unit_test(test_two_planes),
		cmocka_unit_test(test_two_planes_named),
		cmocka_unit_test(test_oversubscribed),
		cmocka_unit_test(test_missing_link_leaf),
		cmocka_unit_test(test_missing_link_other_switches),
		cmocka_unit_test(test_parallel_links),
		cmocka_unit_test(test_no_two_hop_path),
		cmocka_unit_test(test_three_tier_routes),
		cmocka_unit_test(test_three_tier_missing_uplink),
		cmocka_unit_test(test_three_tier_least_cost),
		cmocka_unit_test(test_three_tier_print),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_bad_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
