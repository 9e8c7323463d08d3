/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator form: names, port numbering, subnets and rates of the
 * expanded model, and the explicit writer (loading its output must give
 * the same model).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loom/lb/flow_hash.h"
#include "topo/topology.h"
#include "workload/workload.h"

#ifndef LOOM_SOURCE_ROOT
#define LOOM_SOURCE_ROOT "."
#endif
#define TOPO_DIR LOOM_SOURCE_ROOT "/vm/topologies/"

static void load_ok(const char *yaml, struct topology *t)
{
	char err[512];

	if (topo_load_string(yaml, "g.yaml", &workload_traffic, t, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
}

static void expect_error(const char *yaml, const char *where, const char *keyword)
{
	struct topology t;
	char err[512];
	int rc = topo_load_string(yaml, "g.yaml", &workload_traffic, &t, err, sizeof(err));

	if (rc != -1 || !strstr(err, where) || !strstr(err, keyword))
		fail_msg("rc %d, message '%s'; expected '%s' and '%s'", rc, err, where, keyword);
}

static void load_file(const char *name, struct topology *t)
{
	char path[512], err[512];

	snprintf(path, sizeof(path), TOPO_DIR "%s", name);
	if (topo_load(path, &workload_traffic, t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static const char *prefix_str(const struct topo_prefix *p, char *buf)
{
	topo_format_prefix(p, buf, 64);
	return buf;
}

/* The switch end of link l that is not `sw`, or the host end. */
static void assert_end(const struct topology *t, const struct topo_end *e, bool host,
		       const char *name, int port)
{
	assert_int_equal(e->is_host, host);
	assert_string_equal(host ? t->hosts[e->node].name : t->switches[e->node].name, name);
	assert_int_equal(e->port, port);
}

static void test_default_layout(void **state)
{
	struct topology t;
	char buf[64];

	load_file("default.yaml", &t);
	/* spines first, then leaves: the switch index is in the MACs */
	assert_string_equal(t.switches[0].name, "spine0");
	assert_string_equal(t.switches[1].name, "spine1");
	assert_string_equal(t.switches[2].name, "leaf0");
	assert_string_equal(t.switches[5].name, "leaf3");
	assert_int_equal(t.switches[0].role, TOPO_SPINE);
	assert_int_equal(t.switches[2].role, TOPO_LEAF);
	assert_int_equal(t.switches[2].hash_seed, loom_seed_from_name("leaf0"));
	assert_string_equal(t.hosts[0].name, "h0");
	assert_string_equal(t.hosts[7].name, "h7");
	/* host links: leaf l port j <-> host l*H + j */
	assert_end(&t, &t.links[0].a, true, "h0", 0);
	assert_end(&t, &t.links[0].b, false, "leaf0", 0);
	assert_end(&t, &t.links[3].a, true, "h3", 0);
	assert_end(&t, &t.links[3].b, false, "leaf1", 1);
	/* uplinks: leaf l port H + s <-> spine s port l */
	assert_end(&t, &t.links[8].a, false, "leaf0", 2);
	assert_end(&t, &t.links[8].b, false, "spine0", 0);
	assert_end(&t, &t.links[15].a, false, "leaf3", 3);
	assert_end(&t, &t.links[15].b, false, "spine1", 3);
	for (int i = 0; i < t.n_links; i++) {
		assert_int_equal(t.links[i].rate_bps, 10000000000ull);
		assert_int_equal(t.links[i].delay_ns, 1000);
		assert_int_equal(t.links[i].pos.line, 0);
	}
	assert_int_equal(t.switches[0].n_ports, 4);
	assert_int_equal(t.switches[2].n_ports, 4);
	assert_string_equal(prefix_str(&t.switches[2].subnet4, buf), "10.0.0.0/24");
	assert_string_equal(prefix_str(&t.switches[5].subnet4, buf), "10.0.3.0/24");
	assert_string_equal(prefix_str(&t.switches[2].subnet6, buf), "fd00::/64");
	assert_string_equal(prefix_str(&t.switches[5].subnet6, buf), "fd00:0:0:3::/64");
	assert_int_equal(t.switches[0].subnet4.family, 0);
	assert_int_equal(t.hosts[0].port_type, TOPO_PORT_AF_PACKET);
	topo_free(&t);
}

static void test_two_plane_layout(void **state)
{
	struct topology t;
	char buf[64];
	int leaf;

	load_file("two-plane-4x8.yaml", &t);
	assert_int_equal(t.n_planes, 2);
	assert_string_equal(t.switches[0].name, "p0-spine0");
	assert_string_equal(t.switches[4].name, "p0-leaf0");
	assert_string_equal(t.switches[12].name, "p1-spine0");
	assert_string_equal(t.switches[23].name, "p1-leaf7");
	assert_int_equal(t.switches[12].plane, 1);
	assert_int_equal(t.switches[11].plane, 0);
	leaf = topo_switch_index(&t, "p1-leaf2");
	assert_string_equal(prefix_str(&t.switches[leaf].subnet4, buf), "10.1.2.0/24");
	assert_string_equal(prefix_str(&t.switches[leaf].subnet6, buf), "fd00:0:1:2::/64");
	/* host h5 (5/2 = leaf 2, port 1) is on p0-leaf2 eth0 and p1-leaf2 eth1 */
	for (int p = 0, found = 0; p < 2; p++, found = 0) {
		for (int i = 0; i < t.n_links; i++) {
			const struct topo_link *l = &t.links[i];

			if (!l->a.is_host || strcmp(t.hosts[l->a.node].name, "h5") != 0 ||
			    t.switches[l->b.node].plane != p)
				continue;
			found++;
			assert_int_equal(l->a.port, p);
			assert_string_equal(t.switches[l->b.node].name, p ? "p1-leaf2" : "p0-leaf2");
			assert_int_equal(l->b.port, 1);
		}
		assert_int_equal(found, 1);
	}
	/* uplinks of plane 1: leaf 7 port 2+3 -> spine 3 port 7 */
	assert_end(&t, &t.links[95].a, false, "p1-leaf7", 5);
	assert_end(&t, &t.links[95].b, false, "p1-spine3", 7);
	topo_free(&t);
}

static void test_oversubscribed(void **state)
{
	struct topology t;

	load_file("oversubscribed.yaml", &t);
	assert_int_equal(t.n_switches, 6);
	assert_int_equal(t.n_hosts, 16);
	assert_int_equal(t.n_links, 24);
	/* leaf ports: 4 hosts + 2 uplinks */
	assert_int_equal(t.switches[topo_switch_index(&t, "leaf0")].n_ports, 6);
	assert_end(&t, &t.links[16].a, false, "leaf0", 4);
	assert_end(&t, &t.links[16].b, false, "spine0", 0);
	topo_free(&t);
}

static void test_rates_and_options(void **state)
{
	struct topology t;

	load_ok("fabric: g\n"
		"defaults:\n"
		"  link_rate: 25G\n"
		"  delay: 3us\n"
		"generate:\n"
		"  spines: 1\n"
		"  leaves: 2\n"
		"  hosts_per_leaf: 1\n"
		"  uplink_rate: 100G\n"
		"  port_type: af_xdp\n",
		&t);
	assert_int_equal(t.default_rate_bps, 25000000000ull);
	assert_int_equal(t.n_planes, 1);
	/* link_rate falls back to defaults.link_rate, delay to defaults.delay */
	assert_int_equal(t.links[0].rate_bps, 25000000000ull);
	assert_int_equal(t.links[0].delay_ns, 3000);
	assert_int_equal(t.links[2].rate_bps, 100000000000ull);
	assert_int_equal(t.hosts[1].port_type, TOPO_PORT_AF_XDP);
	topo_free(&t);

	/* uplink_rate falls back to link_rate */
	load_ok("fabric: g\ngenerate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n"
		"  link_rate: 40G\n  delay: 0\n",
		&t);
	assert_int_equal(t.links[1].rate_bps, 40000000000ull);
	assert_int_equal(t.links[1].delay_ns, 0);
	topo_free(&t);
}

static void test_no_hosts(void **state)
{
	struct topology t;

	load_ok("fabric: g\ngenerate:\n  spines: 3\n  leaves: 2\n  hosts_per_leaf: 0\n", &t);
	assert_int_equal(t.n_hosts, 0);
	assert_int_equal(t.n_links, 6);
	assert_end(&t, &t.links[0].a, false, "leaf0", 0);
	assert_end(&t, &t.links[0].b, false, "spine0", 0);
	topo_free(&t);
}

static void test_pools(void **state)
{
	struct topology t;
	char buf[64];

	load_ok("fabric: g\ngenerate:\n  spines: 1\n  leaves: 3\n  hosts_per_leaf: 1\n"
		"  ipv4_pool: 172.16.0.0/16\n  ipv6_pool: \"2001:db8:aa::/48\"\n",
		&t);
	assert_string_equal(prefix_str(&t.switches[3].subnet4, buf), "172.16.2.0/24");
	assert_string_equal(prefix_str(&t.switches[3].subnet6, buf), "2001:db8:aa:2::/64");
	topo_free(&t);

	load_ok("fabric: g\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n"
		"  planes: 3\n  ipv4_pool: 10.64.0.0/10\n",
		&t);
	assert_string_equal(prefix_str(&t.switches[topo_switch_index(&t, "p2-leaf1")].subnet4, buf),
			    "10.66.1.0/24");
	topo_free(&t);

#define POOL(planes, key, value)                                                    \
	"fabric: g\ngenerate:\n  spines: 1\n  leaves: 4\n  hosts_per_leaf: 1\n" \
	"  planes: " planes "\n  " key ": " value "\n" /* line 7 */
	expect_error(POOL("2", "ipv4_pool", "10.0.0.0/16"), "g.yaml:7:", "too small");
	expect_error(POOL("1", "ipv4_pool", "10.0.0.0/23"), "g.yaml:7:", "too small");
	expect_error(POOL("1", "ipv4_pool", "10.0.0.1/8"), "g.yaml:7:", "host bits set");
	expect_error(POOL("1", "ipv4_pool", "\"fd00::/32\""), "g.yaml:7:", "not an IPv4");
	expect_error(POOL("1", "ipv6_pool", "10.0.0.0/8"), "g.yaml:7:", "not an IPv6");
	expect_error(POOL("2", "ipv6_pool", "\"fd00::/56\""), "g.yaml:7:", "too small");
	expect_error(POOL("1", "ipv6_pool", "\"fd00::/72\""), "g.yaml:7:", "too small");
	expect_error(POOL("1", "ipv6_pool", "nope"), "g.yaml:7:", "bad prefix");
#undef POOL
}

static void test_largest(void **state)
{
	struct topology t;

	load_ok("fabric: big\ngenerate:\n  spines: 64\n  leaves: 256\n  hosts_per_leaf: 64\n"
		"  planes: 8\n",
		&t);
	assert_int_equal(t.n_switches, 8 * (64 + 256));
	assert_int_equal(t.n_hosts, 256 * 64);
	assert_int_equal(t.n_links, 8 * 256 * (64 + 64));
	assert_string_equal(t.hosts[t.n_hosts - 1].name, "h16383");
	assert_string_equal(t.switches[t.n_switches - 1].name, "p7-leaf255");
	assert_int_equal(t.switches[0].n_ports, 256);
	topo_free(&t);
}

/* --- explicit writer ---------------------------------------------------------------- */

static void assert_same(const struct topology *a, const struct topology *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->default_rate_bps, b->default_rate_bps);
	assert_int_equal(a->default_delay_ns, b->default_delay_ns);
	assert_int_equal(a->n_planes, b->n_planes);
	assert_int_equal(a->n_pods, b->n_pods);
	assert_int_equal(a->n_tiers, b->n_tiers);
	assert_int_equal(a->planes_joined, b->planes_joined);
	assert_int_equal(a->n_switches, b->n_switches);
	assert_int_equal(a->n_hosts, b->n_hosts);
	assert_int_equal(a->n_links, b->n_links);
	for (int i = 0; i < a->n_switches; i++) {
		const struct topo_switch *x = &a->switches[i], *y = &b->switches[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->role, y->role);
		assert_int_equal(x->plane, y->plane);
		assert_int_equal(x->pod, y->pod);
		assert_int_equal(x->hash_seed, y->hash_seed);
		assert_int_equal(x->n_ports, y->n_ports);
		assert_memory_equal(&x->subnet4, &y->subnet4, sizeof(x->subnet4));
		assert_memory_equal(&x->subnet6, &y->subnet6, sizeof(x->subnet6));
	}
	for (int i = 0; i < a->n_hosts; i++) {
		assert_string_equal(a->hosts[i].name, b->hosts[i].name);
		assert_int_equal(a->hosts[i].port_type, b->hosts[i].port_type);
	}
	for (int i = 0; i < a->n_links; i++) {
		const struct topo_link *x = &a->links[i], *y = &b->links[i];
		const struct topo_end *xe[2] = { &x->a, &x->b }, *ye[2] = { &y->a, &y->b };

		assert_int_equal(x->rate_bps, y->rate_bps);
		assert_int_equal(x->delay_ns, y->delay_ns);
		for (int e = 0; e < 2; e++) {
			assert_int_equal(xe[e]->is_host, ye[e]->is_host);
			assert_int_equal(xe[e]->node, ye[e]->node);
			assert_int_equal(xe[e]->port, ye[e]->port);
			assert_string_equal(xe[e]->devargs, ye[e]->devargs);
		}
	}
}

static char *write_to_string(const struct topology *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(topo_write_explicit(t, &workload_traffic, out), 0);
	fclose(out);
	return text;
}

static void round_trip(const struct topology *t)
{
	struct topology back;
	char err[512];
	char *text = write_to_string(t);

	if (topo_load_string(text, "written.yaml", &workload_traffic, &back, err, sizeof(err)) != 0)
		fail_msg("%s\n--- written:\n%s", err, text);
	assert_same(t, &back);
	topo_free(&back);
	free(text);
}

static void test_round_trip_examples(void **state)
{
	static const char *const files[] = {
		"default.yaml",     "two-plane-4x8.yaml", "oversubscribed.yaml", "small-explicit.yaml",
		"fat-tree-k4.yaml", "fat-tree-k8.yaml",   "three-tier.yaml",     "two-plane-joined.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct topology t;

		load_file(files[i], &t);
		round_trip(&t);
		topo_free(&t);
	}
}

static void test_round_trip_odd_values(void **state)
{
	struct topology t;

	load_ok("fabric: -odd\n"
		"defaults:\n"
		"  link_rate: 2.5G\n"
		"  delay: 1500ns\n"
		"switches:\n"
		"  - name: -s\n"
		"    role: spine\n"
		"  - name: l\n"
		"    role: leaf\n"
		"    ipv4: 10.9.0.0/16\n"
		"    ipv6: \"::/0\"\n"
		"    options:\n"
		"      hash_seed: 0\n"
		"hosts:\n"
		"  - name: h\n"
		"    port_type: af_xdp\n"
		"links:\n"
		"  - a: l:200\n"
		"    b: -s:0\n"
		"    rate: 1234bps\n"
		"    delay: 7ns\n"
		"    devargs_a: 'net_pcap0,rx_pcap=\"a b\\c.pcap\"'\n"
		"    devargs_b: \"net_tap0,iface=x\\ty\"\n"
		"  - a: h\n"
		"    b: l:0\n",
		&t);
	assert_string_equal(t.links[0].a.devargs, "net_pcap0,rx_pcap=\"a b\\c.pcap\"");
	assert_string_equal(t.links[0].b.devargs, "net_tap0,iface=x\ty");
	assert_int_equal(t.switches[1].hash_seed, 0);
	round_trip(&t);
	topo_free(&t);
}

static void test_written_text(void **state)
{
	struct topology t;
	char *text;

	load_file("default.yaml", &t);
	text = write_to_string(&t);
	assert_non_null(strstr(text, "fabric: default\n"));
	assert_non_null(strstr(text, "  link_rate: 10G\n  delay: 1us\n"));
	assert_non_null(strstr(text, "  - name: leaf0\n    role: leaf\n    plane: 0\n"
				     "    ipv4: 10.0.0.0/24\n    ipv6: \"fd00::/64\"\n"));
	assert_non_null(strstr(text, "  - a: h0\n    b: leaf0:0\n    rate: 10G\n    delay: 1us\n"));
	assert_non_null(strstr(text, "  - a: leaf3:3\n    b: spine1:3\n"));
	free(text);
	topo_free(&t);

	/* several planes: the host interface is spelled out */
	load_file("two-plane-4x8.yaml", &t);
	text = write_to_string(&t);
	assert_non_null(strstr(text, "  - a: h5:eth1\n    b: p1-leaf2:1\n"));
	free(text);
	topo_free(&t);
}

/* --- three tiers ------------------------------------------------------------------ */

/* fat_tree k=4: superspines, then spines and leaves pod by pod. */
static void test_fat_tree_layout(void **state)
{
	struct topology t;
	char buf[64];

	load_file("fat-tree-k4.yaml", &t);
	assert_int_equal(t.n_switches, 20);
	assert_int_equal(t.n_hosts, 16);
	assert_int_equal(t.n_links, 48);
	assert_int_equal(t.n_pods, 4);
	assert_int_equal(t.n_tiers, 3);
	assert_string_equal(t.switches[0].name, "superspine0");
	assert_string_equal(t.switches[3].name, "superspine3");
	assert_string_equal(t.switches[4].name, "spine0");
	assert_string_equal(t.switches[11].name, "spine7");
	assert_string_equal(t.switches[12].name, "leaf0");
	assert_string_equal(t.switches[19].name, "leaf7");
	assert_int_equal(t.switches[0].role, TOPO_SUPERSPINE);
	assert_int_equal(t.switches[0].pod, TOPO_NO_POD);
	assert_int_equal(t.switches[0].hash_seed, loom_seed_from_name("superspine0"));
	assert_int_equal(t.switches[7].pod, 1);  /* spine3 */
	assert_int_equal(t.switches[19].pod, 3); /* leaf7 */
	for (int s = 0; s < t.n_switches; s++)
		assert_int_equal(t.switches[s].n_ports, 4);
	assert_string_equal(prefix_str(&t.switches[17].subnet4, buf), "10.0.5.0/24");
	assert_string_equal(prefix_str(&t.switches[17].subnet6, buf), "fd00:0:0:5::/64");
	/* host links by leaf: h5 is leaf2 port 1 */
	assert_end(&t, &t.links[5].a, true, "h5", 0);
	assert_end(&t, &t.links[5].b, false, "leaf2", 1);
	/* leaf-spine: leaf j port 2 + s <-> spine (j/2)*2 + s port j%2 */
	assert_end(&t, &t.links[16].a, false, "leaf0", 2);
	assert_end(&t, &t.links[16].b, false, "spine0", 0);
	assert_end(&t, &t.links[23].a, false, "leaf3", 3);
	assert_end(&t, &t.links[23].b, false, "spine3", 1);
	/* spine-superspine: spine i of pod q port 2 + u <-> superspine
	 * (i%2)*2 + u port q */
	assert_end(&t, &t.links[32].a, false, "spine0", 2);
	assert_end(&t, &t.links[32].b, false, "superspine0", 0);
	assert_end(&t, &t.links[35].a, false, "spine1", 3);
	assert_end(&t, &t.links[35].b, false, "superspine3", 0);
	assert_end(&t, &t.links[47].a, false, "spine7", 3);
	assert_end(&t, &t.links[47].b, false, "superspine3", 3);
	topo_free(&t);
}

static void test_three_tier_rates(void **state)
{
	struct topology t;
	int ss = 0;

	load_file("three-tier.yaml", &t);
	for (int i = 0; i < t.n_links; i++) {
		const struct topo_link *l = &t.links[i];
		bool up = !l->a.is_host && t.switches[l->a.node].role == TOPO_SPINE;

		ss += up;
		assert_int_equal(l->rate_bps, up ? 12500000000ull : 25000000000ull);
	}
	assert_int_equal(ss, 32);
	/* spine s of a pod: superspines 4s .. 4s+3 */
	assert_end(&t, &t.links[64 + 32 + 4].a, false, "spine1", 4);
	assert_end(&t, &t.links[64 + 32 + 4].b, false, "superspine4", 0);
	topo_free(&t);

	/* superspine_rate falls back to uplink_rate */
	load_ok("fabric: g\ngenerate:\n  pods: 2\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n"
		"  superspines: 1\n  uplink_rate: 40G\n",
		&t);
	assert_int_equal(t.links[t.n_links - 1].rate_bps, 40000000000ull);
	assert_int_equal(t.switches[0].n_ports, 2);
	topo_free(&t);
}

/* superspine_links: full links every spine to every superspine; with
 * planes_joined the superspines are shared, named without a plane. */
static void test_full_mesh_and_joined(void **state)
{
	struct topology t;

	load_ok("fabric: g\ngenerate:\n  pods: 2\n  spines: 2\n  leaves: 1\n  hosts_per_leaf: 1\n"
		"  superspines: 3\n  superspine_links: full\n  planes: 2\n  planes_joined: true\n",
		&t);
	assert_true(t.planes_joined);
	assert_int_equal(t.n_switches, 3 + 2 * 2 * 3);
	assert_int_equal(t.n_links, 2 * (2 + 4 + 12));
	assert_string_equal(t.switches[2].name, "superspine2");
	assert_string_equal(t.switches[3].name, "p0-spine0");
	assert_string_equal(t.switches[9].name, "p1-spine0");
	assert_string_equal(t.switches[14].name, "p1-leaf1");
	/* a superspine port per (plane, pod, spine) */
	assert_int_equal(t.switches[0].n_ports, 2 * 2 * 2);
	assert_int_equal(t.switches[3].n_ports, 1 + 3);
	/* the last link: p1-spine3 (pod 1, spine 1) port 1 + 2 <-> superspine2
	 * port (1 * 2 + 1) * 2 + 1 */
	assert_end(&t, &t.links[t.n_links - 1].a, false, "p1-spine3", 3);
	assert_end(&t, &t.links[t.n_links - 1].b, false, "superspine2", 7);
	round_trip(&t);
	topo_free(&t);

	/* not joined: each plane its own superspines, first in the plane */
	load_ok("fabric: g\ngenerate:\n  fat_tree: { k: 2 }\n  planes: 2\n", &t);
	assert_false(t.planes_joined);
	assert_int_equal(t.n_switches, 2 * 5);
	assert_string_equal(t.switches[0].name, "p0-superspine0");
	assert_string_equal(t.switches[5].name, "p1-superspine0");
	assert_int_equal(t.switches[5].plane, 1);
	round_trip(&t);
	topo_free(&t);
}

static void test_fat_tree_largest(void **state)
{
	struct topology t;

	load_ok("fabric: g\ngenerate:\n  fat_tree: { k: 22 }\n  planes: 8\n  planes_joined: true\n", &t);
	assert_int_equal(t.n_switches, 121 + 8 * 22 * 22);
	assert_int_equal(t.n_hosts, 22 * 22 * 22 / 4);
	assert_int_equal(t.switches[0].n_ports, 8 * 22);
	topo_free(&t);

	/* one plane may hold more than 256 leaves: k = 32, 512 leaves, whose
	 * /24s carry into the second octet (leaf 300: 10.1.44.0/24) */
	load_ok("fabric: g\ngenerate:\n  fat_tree: { k: 32 }\n", &t);
	assert_int_equal(t.n_switches, 5 * 32 * 32 / 4);
	assert_int_equal(t.n_hosts, 32 * 32 * 32 / 4);
	{
		int leaves = 0;
		char buf[64];

		for (int i = 0; i < t.n_switches; i++) {
			if (t.switches[i].role != TOPO_LEAF)
				continue;
			if (leaves == 300) {
				topo_format_prefix(&t.switches[i].subnet4, buf, sizeof(buf));
				assert_string_equal(buf, "10.1.44.0/24");
			}
			leaves++;
		}
		assert_int_equal(leaves, 512);
	}
	topo_free(&t);
}

static void test_three_tier_errors(void **state)
{
#define GEN3(extra) "fabric: g\ngenerate:\n  spines: 2\n  leaves: 2\n  hosts_per_leaf: 1\n" extra /* line 6 */
	expect_error(GEN3("  pods: 2\n"), "g.yaml:6:", "pods 2 need superspines to join them");
	expect_error(GEN3("  pods: 0\n"), "g.yaml:6:", "pods 0 out of range 1..256");
	expect_error(GEN3("  pods: 129\n  superspines: 2\n  planes: 2\n"), "g.yaml:6:",
		     "129 pods x 2 leaves = 258 leaves per plane, at most 256 with more than one plane");
	expect_error(GEN3("  superspines: 3\n"), "g.yaml:6:",
		     "superspines 3 is not a multiple of spines 2");
	expect_error(GEN3("  superspines: 257\n"), "g.yaml:6:", "superspines 257 out of range 0..256");
	expect_error(GEN3("  superspines: 2\n  superspine_links: mesh\n"), "g.yaml:7:",
		     "bad superspine_links 'mesh' (grouped or full)");
	expect_error(GEN3("  pods: 128\n  superspines: 2\n  superspine_links: full\n  planes: 2\n"
			  "  planes_joined: true\n"),
		     "g.yaml:7:", "a superspine would need 512 ports, at most 256");
	expect_error(GEN3("  planes_joined: 1\n"), "g.yaml:6:", "'planes_joined' must be true or false");
	expect_error(GEN3("  superspine_rate: fast\n"), "g.yaml:6:", "bad rate 'fast' for 'superspine_rate'");
#undef GEN3
#define FT(k) "fabric: g\ngenerate:\n  fat_tree: " k "\n" /* line 3 */
	expect_error(FT("{ k: 5 }"), "g.yaml:3:", "fat_tree k 5 must be even");
	expect_error(FT("{ k: 66 }"), "g.yaml:3:", "k 66 out of range 2..64");
	expect_error(FT("{ k: 0 }"), "g.yaml:3:", "k 0 out of range 2..64");
	expect_error(FT("{ k: 32 }\n  planes: 2"), "g.yaml:3:",
		     "32 pods x 16 leaves = 512 leaves per plane, at most 256 with more than one plane");
	expect_error(FT("{ k: 32 }\n  ipv4_pool: 10.0.0.0/16"), "g.yaml:4:", "too small for 1 plane(s) of 512 leaves");
	expect_error(FT("{ n: 4 }"), "g.yaml:3:", "unknown key 'n' in fat_tree");
	expect_error(FT("{}"), "g.yaml:3:", "missing key 'k' in fat_tree");
	expect_error(FT("4"), "g.yaml:3:", "fat_tree must be a mapping");
	expect_error(FT("{ k: 4 }\n  spines: 2"), "g.yaml:4:",
		     "'spines' cannot be combined with 'fat_tree' (line 3): k sets it");
	expect_error(FT("{ k: 4 }\n  superspine_links: full"), "g.yaml:4:",
		     "'superspine_links' cannot be combined with 'fat_tree'");
	expect_error(FT("{ k: 22 }\n  planes: 8\n  ipv4_pool: 10.0.0.0/16"), "g.yaml:5:",
		     "too small for 8 plane(s) of 242 leaves");
#undef FT
}

static void test_written_three_tier(void **state)
{
	struct topology t;
	char *text;

	load_file("two-plane-joined.yaml", &t);
	text = write_to_string(&t);
	assert_non_null(strstr(text, "planes_joined: true\n"));
	/* a shared superspine has neither plane nor pod */
	assert_non_null(strstr(text, "  - name: superspine0\n    role: superspine\n    options:\n"));
	assert_non_null(strstr(text, "  - name: p1-spine3\n    role: spine\n    plane: 1\n    pod: 1\n"));
	assert_non_null(strstr(text, "  - name: p0-leaf2\n    role: leaf\n    plane: 0\n    pod: 1\n"
				     "    ipv4: 10.0.2.0/24\n"));
	assert_non_null(strstr(text, "  - a: p1-spine3:2\n    b: superspine1:3\n"));
	free(text);
	topo_free(&t);
}


/* Top-level hash_seed: every switch the same seed (over `seed:`'s per-switch
 * ones), except a switch that gives its own; a bad value names its line. */
static void test_fabric_hash_seed(void **state)
{
	struct topology t;

	load_ok("fabric: g\nseed: 3\nhash_seed: 7\n"
		"generate: { spines: 2, leaves: 2, hosts_per_leaf: 1 }\n", &t);
	for (int i = 0; i < t.n_switches; i++)
		assert_int_equal(t.switches[i].hash_seed, 7);
	topo_free(&t);
	load_ok("fabric: g\nhash_seed: 7\n"
		"switches:\n"
		"  - { name: s0, role: spine }\n"
		"  - { name: l0, role: leaf, ipv4: 10.0.0.0/24, options: { hash_seed: 9 } }\n"
		"  - { name: l1, role: leaf, ipv4: 10.0.1.0/24 }\n"
		"links:\n"
		"  - { a: l0:0, b: s0:0 }\n"
		"  - { a: l1:0, b: s0:1 }\n", &t);
	assert_int_equal(t.switches[0].hash_seed, 7);
	assert_int_equal(t.switches[1].hash_seed, 9);
	assert_int_equal(t.switches[2].hash_seed, 7);
	topo_free(&t);
	expect_error("fabric: g\nhash_seed: 4294967296\n"
		     "generate: { spines: 1, leaves: 1, hosts_per_leaf: 1 }\n", "g.yaml:2:", "hash_seed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_layout),
		cmocka_unit_test(test_two_plane_layout),
		cmocka_unit_test(test_oversubscribed),
		cmocka_unit_test(test_rates_and_options),
		cmocka_unit_test(test_no_hosts),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_round_trip_examples),
		cmocka_unit_test(test_round_trip_odd_values),
		cmocka_unit_test(test_written_text),
		cmocka_unit_test(test_fat_tree_layout),
		cmocka_unit_test(test_three_tier_rates),
		cmocka_unit_test(test_full_mesh_and_joined),
		cmocka_unit_test(test_fat_tree_largest),
		cmocka_unit_test(test_three_tier_errors),
		cmocka_unit_test(test_written_three_tier),
		cmocka_unit_test(test_fabric_hash_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
