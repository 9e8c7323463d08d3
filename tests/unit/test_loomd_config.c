/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loomd configuration (docs/LOOMD_CONFIG.md): ports, link kinds and
 * devargs, host objects, MACs and routes of the demo fabric; a loomd that
 * runs only some switches; devargs given in the topology.
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
#include <jansson.h>

#include "compile/loomd_config.h"
#include "topo/topology.h"



static json_t *get(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		fail_msg("no key '%s'", key);
	return v;
}

static const char *get_str(const json_t *obj, const char *key)
{
	json_t *v = get(obj, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t get_int(const json_t *obj, const char *key)
{
	json_t *v = get(obj, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static json_t *build_ok(const struct topology *t, const bool *local)
{
	char err[512] = "";
	json_t *cfg = NULL;

	if (loomd_config_build(t, local, &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_non_null(cfg);
	return cfg;
}

static void expect_build_error(const struct topology *t, const bool *local, const char *msg)
{
	char err[512] = "";
	json_t *cfg = (json_t *)1;

	assert_int_equal(loomd_config_build(t, local, &cfg, err, sizeof(err)), -1);
	assert_null(cfg);
	assert_string_equal(err, msg);
}

static json_t *find_switch(const json_t *cfg, const char *name)
{
	size_t i;
	json_t *s;

	json_array_foreach(get(cfg, "switches"), i, s)
		if (!strcmp(get_str(s, "name"), name))
			return s;
	fail_msg("no switch %s", name);
	return NULL;
}

static json_t *find_port(const json_t *sw, int index)
{
	size_t i;
	json_t *p;

	json_array_foreach(get(sw, "ports"), i, p)
		if (get_int(p, "index") == index)
			return p;
	fail_msg("no port %d", index);
	return NULL;
}

/* --- default.yaml ---------------------------------------------------------- */

static void check_default_switch(const struct topology *t, const json_t *s, int id)
{
	const struct topo_switch *ts = &t->switches[id];
	bool leaf = ts->role == TOPO_LEAF;

	assert_string_equal(get_str(s, "name"), ts->name);
	assert_int_equal(get_int(s, "id"), id);
	assert_string_equal(get_str(s, "role"), leaf ? "leaf" : "spine");
	assert_int_equal(get_int(s, "plane"), 0);
	assert_int_equal(get_int(s, "hash_seed"), ts->hash_seed);
	assert_int_equal(json_array_size(get(s, "ports")), 4);
	/* leaf: 2 hosts x 2 + 3 leaves x 2; spine: 4 leaves x 2 */
	assert_int_equal(json_array_size(get(s, "routes")), leaf ? 10 : 8);
	assert_int_equal(json_array_size(get(s, "groups")), leaf ? 3 : 4);
	assert_int_equal(json_array_size(get(s, "nexthops")), 4);
}

/* Leaf l (switch 2 + l): ports 0, 1 -> hosts 2l, 2l+1; ports 2, 3 -> spines. */
static void check_default_leaf(const json_t *s, int l)
{
	for (int j = 0; j < 2; j++) {
		json_t *p = find_port(s, j), *link = get(p, "link"), *host = get(p, "host");
		char buf[64];

		snprintf(buf, sizeof(buf), "h%d", 2 * l + j);
		assert_string_equal(get_str(p, "name"), buf);
		snprintf(buf, sizeof(buf), "02:4c:00:%02x:00:%02x", 2 + l, j);
		assert_string_equal(get_str(p, "mac"), buf);
		assert_int_equal(get_int(p, "rate_bps"), 10000000000LL);
		assert_int_equal(get_int(p, "delay_ns"), 1000);
		assert_string_equal(get_str(link, "kind"), "ethdev");
		snprintf(buf, sizeof(buf), "net_af_packet%d,iface=lmh%dp0,framecnt=2048", 2 * l + j, 2 * l + j);
		assert_string_equal(get_str(link, "devargs"), buf);
		snprintf(buf, sizeof(buf), "10.0.%d.1", l);
		assert_string_equal(get_str(host, "gw_v4"), buf);
		snprintf(buf, sizeof(buf), "10.0.%d.0/24", l);
		assert_string_equal(get_str(host, "subnet_v4"), buf);
		snprintf(buf, sizeof(buf), l ? "fd00:0:0:%d::1" : "fd00::1", l);
		assert_string_equal(get_str(host, "gw_v6"), buf);
		snprintf(buf, sizeof(buf), l ? "fd00:0:0:%d::/64" : "fd00::/64", l);
		assert_string_equal(get_str(host, "subnet_v6"), buf);
	}
	for (int sp = 0; sp < 2; sp++) {
		json_t *p = find_port(s, 2 + sp), *link = get(p, "link");
		char buf[64];

		snprintf(buf, sizeof(buf), "spine%d:%d", sp, l);
		assert_string_equal(get_str(p, "name"), buf);
		assert_null(json_object_get(p, "host"));
		assert_string_equal(get_str(link, "kind"), "ring");
		snprintf(buf, sizeof(buf), "spine%d", sp);
		assert_string_equal(get_str(link, "peer_switch"), buf);
		assert_int_equal(get_int(link, "peer_port"), l);
	}
}

/* Every ring port's peer port is a ring back to it. */
static void check_rings_symmetric(const json_t *cfg)
{
	size_t i, k;
	json_t *s, *p;

	json_array_foreach(get(cfg, "switches"), i, s) {
		json_array_foreach(get(s, "ports"), k, p) {
			json_t *link = get(p, "link"), *back;

			if (strcmp(get_str(link, "kind"), "ring"))
				continue;
			back = get(find_port(find_switch(cfg, get_str(link, "peer_switch")),
					     get_int(link, "peer_port")), "link");
			assert_string_equal(get_str(back, "kind"), "ring");
			assert_string_equal(get_str(back, "peer_switch"), get_str(s, "name"));
			assert_int_equal(get_int(back, "peer_port"), get_int(p, "index"));
		}
	}
}

/* No two ethdev ports of the file have the same devargs (DPDK vdev names). */
static void check_devargs_unique(const json_t *cfg)
{
	json_t *seen = json_object();
	size_t i, k;
	json_t *s, *p;

	json_array_foreach(get(cfg, "switches"), i, s) {
		json_array_foreach(get(s, "ports"), k, p) {
			json_t *link = get(p, "link");
			const char *d;

			if (strcmp(get_str(link, "kind"), "ethdev"))
				continue;
			d = get_str(link, "devargs");
			if (json_object_get(seen, d))
				fail_msg("devargs '%s' twice", d);
			json_object_set_new(seen, d, json_true());
		}
	}
	json_decref(seen);
}

static void test_default(void **state)
{
	struct topology t;
	json_t *cfg, *leaf0, *spine1;

	(void)state;
	load_file("default.yaml", &t);
	cfg = build_ok(&t, NULL);
	assert_string_equal(get_str(cfg, "fabric"), "default");
	assert_int_equal(json_array_size(get(cfg, "switches")), 6);
	for (int i = 0; i < 6; i++)
		check_default_switch(&t, json_array_get(get(cfg, "switches"), i), i);
	for (int l = 0; l < 4; l++) {
		char name[16];

		snprintf(name, sizeof(name), "leaf%d", l);
		check_default_leaf(find_switch(cfg, name), l);
	}
	check_rings_symmetric(cfg);
	check_devargs_unique(cfg);

	/* routes as routes.c computes them, spelled out */
	leaf0 = find_switch(cfg, "leaf0");
	assert_string_equal(get_str(json_array_get(get(leaf0, "routes"), 0), "prefix"), "10.0.0.2/32");
	assert_string_equal(get_str(json_array_get(get(leaf0, "routes"), 9), "prefix"), "fd00:0:0:3::/64");
	{
		json_t *nh = json_array_get(get(leaf0, "nexthops"), 0);

		assert_int_equal(get_int(nh, "port"), 0);
		assert_string_equal(get_str(nh, "mac"), "02:48:00:00:00:00");
		assert_string_equal(get_str(nh, "peer"), "h0");
	}
	{
		json_t *r = json_array_get(get(leaf0, "routes"), 2); /* 10.0.1.0/24 */
		json_t *g = json_array_get(get(leaf0, "groups"), get_int(r, "group"));

		assert_int_equal(json_array_size(g), 2);
	}
	spine1 = find_switch(cfg, "spine1");
	{
		json_t *p = find_port(spine1, 3);

		assert_string_equal(get_str(p, "name"), "leaf3:3");
		assert_string_equal(get_str(p, "mac"), "02:4c:00:01:00:03");
	}
	for (int h = 0; h < t.n_hosts; h++)
		assert_false(host_is_external(&t, h));
	json_decref(cfg);
	topo_free(&t);
}

static void test_write_matches_build(void **state)
{
	struct topology t;
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *cfg, *back;
	json_error_t jerr;

	(void)state;
	assert_non_null(f);
	load_file("two-plane-4x8.yaml", &t);
	assert_int_equal(loomd_config_write(&t, NULL, f, err, sizeof(err)), 0);
	fclose(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	back = json_loads(buf, 0, &jerr);
	if (!back)
		fail_msg("%s", jerr.text);
	cfg = build_ok(&t, NULL);
	assert_true(json_equal(cfg, back));
	assert_int_equal(json_array_size(get(cfg, "switches")), 24);
	check_rings_symmetric(cfg);
	check_devargs_unique(cfg);
	json_decref(cfg);
	json_decref(back);
	free(buf);
	topo_free(&t);
}

static void test_veth_names(void **state)
{
	char buf[16];

	(void)state;
	host_veth_name(3, 0, buf, sizeof(buf));
	assert_string_equal(buf, "lmh3p0");
	host_veth_name(65535, 15, buf, sizeof(buf));
	assert_string_equal(buf, "lmh65535p15"); /* fits IFNAMSIZ */
}

/* --- explicit fabrics: split loomds and devargs ----------------------------- */

/* Line numbers matter: the error messages point at the links. */
static const char split_yaml[] =
	"fabric: t\n"                                                          /* 1 */
	"switches:\n"                                                          /* 2 */
	"  - { name: spine0, role: spine }\n"                                  /* 3 */
	"  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24, ipv6: \"fd00::/64\" }\n" /* 4 */
	"  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }\n"                 /* 5 */
	"hosts:\n"                                                             /* 6 */
	"  - name: h0\n"                                                       /* 7 */
	"  - { name: h1, port_type: af_xdp }\n"                                /* 8 */
	"  - name: h2\n"                                                       /* 9 */
	"links:\n"                                                             /* 10 */
	"  - { a: h0, b: \"leaf0:0\" }\n"                                      /* 11 */
	"  - { a: h1, b: \"leaf1:0\" }\n"                                      /* 12 */
	"  - { a: h2, b: \"leaf0:2\", devargs_b: \"net_pcap0,iface=eth9\" }\n" /* 13 */
	"  - a: \"leaf0:1\"\n"                                                 /* 14 */
	"    b: \"spine0:0\"\n"                                                /* 15 */
	"  - a: \"spine0:1\"\n"                                                /* 16 */
	"    b: \"leaf1:1\"\n";                                                /* 17 */

/* Switches: spine0 0, leaf0 1, leaf1 2. */
static void test_only_missing_devargs(void **state)
{
	bool only_leaf0[] = { false, true, false };
	bool only_spine0[] = { true, false, false };
	bool only_leaf1[] = { false, false, true };
	bool no_leaf1[] = { true, true, false };
	struct topology t;

	(void)state;
	load_string(split_yaml, &t);
	expect_build_error(&t, only_leaf0, "t.yaml:14: link leaf0:1 - spine0:0 leaves this loomd but has no devargs_a");
	/* spine0's ports in order: port 0 (line 14) comes first */
	expect_build_error(&t, only_spine0,
			   "t.yaml:14: link leaf0:1 - spine0:0 leaves this loomd but has no devargs_b");
	expect_build_error(&t, only_leaf1, "t.yaml:16: link spine0:1 - leaf1:1 leaves this loomd but has no devargs_b");
	expect_build_error(&t, no_leaf1, "t.yaml:16: link spine0:1 - leaf1:1 leaves this loomd but has no devargs_a");
	topo_free(&t);
}

static void test_devargs_passthrough(void **state)
{
	struct topology t;
	json_t *cfg, *leaf0, *leaf1, *p;

	(void)state;
	load_string(split_yaml, &t);
	cfg = build_ok(&t, NULL);
	leaf0 = find_switch(cfg, "leaf0");
	leaf1 = find_switch(cfg, "leaf1");

	/* h2's leaf port has devargs: used as given, and h2 is external */
	p = find_port(leaf0, 2);
	assert_string_equal(get_str(p, "name"), "h2");
	assert_string_equal(get_str(get(p, "link"), "kind"), "ethdev");
	assert_string_equal(get_str(get(p, "link"), "devargs"), "net_pcap0,iface=eth9");
	assert_string_equal(get_str(get(p, "host"), "gw_v4"), "10.0.0.1");
	assert_true(host_is_external(&t, 2));
	assert_false(host_is_external(&t, 0));
	assert_false(host_is_external(&t, 1));

	/* default devargs are numbered per driver */
	p = find_port(leaf0, 0);
	assert_string_equal(get_str(get(p, "link"), "devargs"), "net_af_packet0,iface=lmh0p0,framecnt=2048");
	p = find_port(leaf1, 0);
	assert_string_equal(get_str(get(p, "link"), "devargs"), "net_af_xdp0,iface=lmh1p0");
	/* leaf1 has no IPv6 subnet: its host object has no v6 */
	assert_string_equal(get_str(get(p, "host"), "subnet_v4"), "10.0.1.0/24");
	assert_null(json_object_get(get(p, "host"), "gw_v6"));
	assert_null(json_object_get(get(p, "host"), "subnet_v6"));

	p = find_port(leaf0, 1);
	assert_string_equal(get_str(get(p, "link"), "kind"), "ring");
	check_rings_symmetric(cfg);
	check_devargs_unique(cfg);
	json_decref(cfg);
	topo_free(&t);
}

/* A leaf in a loomd of its own, its uplinks attached through memif. */
static const char memif_yaml[] =
	"fabric: t\n"
	"switches:\n"
	"  - { name: spine0, role: spine }\n"
	"  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"
	"  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }\n"
	"hosts:\n"
	"  - name: h0\n"
	"links:\n"
	"  - { a: h0, b: \"leaf0:0\" }\n"
	"  - { a: \"leaf0:1\", b: \"spine0:0\", devargs_a: \"net_memif0,role=client\",\n"
	"      devargs_b: \"net_memif1,role=server\", rate: 40G, delay: 5us }\n"
	"  - { a: \"spine0:1\", b: \"leaf1:1\" }\n";

static void test_only_with_devargs(void **state)
{
	bool only_leaf0[] = { false, true, false };
	bool no_leaf0[] = { true, false, true };
	struct topology t;
	json_t *cfg, *p;

	(void)state;
	load_string(memif_yaml, &t);
	cfg = build_ok(&t, only_leaf0);
	assert_int_equal(json_array_size(get(cfg, "switches")), 1);
	p = find_port(find_switch(cfg, "leaf0"), 1);
	assert_string_equal(get_str(p, "name"), "spine0:0");
	assert_string_equal(get_str(get(p, "link"), "kind"), "ethdev");
	assert_string_equal(get_str(get(p, "link"), "devargs"), "net_memif0,role=client");
	assert_int_equal(get_int(p, "rate_bps"), 40000000000LL);
	assert_int_equal(get_int(p, "delay_ns"), 5000);
	/* the leaf still routes to leaf1 through spine0 */
	assert_int_equal(json_array_size(get(find_switch(cfg, "leaf0"), "routes")), 2);
	json_decref(cfg);

	cfg = build_ok(&t, no_leaf0);
	assert_int_equal(json_array_size(get(cfg, "switches")), 2);
	p = find_port(find_switch(cfg, "spine0"), 0);
	assert_string_equal(get_str(get(p, "link"), "devargs"), "net_memif1,role=server");
	p = find_port(find_switch(cfg, "spine0"), 1);
	assert_string_equal(get_str(get(p, "link"), "kind"), "ring");
	json_decref(cfg);

	/* both ends in one loomd: two ethdevs (e.g. a memif pair), no ring */
	cfg = build_ok(&t, NULL);
	p = find_port(find_switch(cfg, "leaf0"), 1);
	assert_string_equal(get_str(get(p, "link"), "kind"), "ethdev");
	json_decref(cfg);
	topo_free(&t);
}

/* devargs at one end only while both ends are local: a ring end would face
 * an ethdev end, which cannot work. */
static const char one_sided_yaml[] = "fabric: t\n"                                                /* 1 */
				     "switches:\n"                                                /* 2 */
				     "  - { name: spine0, role: spine }\n"                        /* 3 */
				     "  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"       /* 4 */
				     "links:\n"                                                   /* 5 */
				     "  - { a: \"leaf0:1\", b: \"spine0:0\", devargs_a: \"net_null0\" }\n"; /* 6 */

static void test_one_sided_devargs(void **state)
{
	struct topology t;

	(void)state;
	load_string(one_sided_yaml, &t);
	expect_build_error(&t, NULL, "t.yaml:6: link leaf0:1 - spine0:0 has devargs_a but no devargs_b");
	topo_free(&t);
}

/* fat-tree-k4.yaml: superspines are switches like the others, with role
 * "superspine", ring ports to the spines and routes to every pod. */
static void test_fat_tree_superspines(void **state)
{
	struct topology t;
	json_t *cfg, *ss, *spine, *p;

	(void)state;
	load_file("fat-tree-k4.yaml", &t);
	cfg = build_ok(&t, NULL);
	assert_int_equal(json_array_size(get(cfg, "switches")), 20);
	ss = find_switch(cfg, "superspine3");
	assert_string_equal(get_str(ss, "role"), "superspine");
	assert_int_equal(get_int(ss, "id"), 3);
	assert_int_equal(get_int(ss, "plane"), 0);
	assert_int_equal(get_int(ss, "hash_seed"), t.switches[3].hash_seed);
	assert_int_equal(json_array_size(get(ss, "ports")), 4);
	/* port 2 <-> spine5 (pod 2, spine 1) port 3 */
	p = find_port(ss, 2);
	assert_string_equal(get_str(p, "name"), "spine5:3");
	assert_string_equal(get_str(get(p, "link"), "kind"), "ring");
	assert_string_equal(get_str(get(p, "link"), "peer_switch"), "spine5");
	assert_int_equal(get_int(get(p, "link"), "peer_port"), 3);
	assert_null(json_object_get(p, "host"));
	/* 8 leaves x 2 families, one group per pod */
	assert_int_equal(json_array_size(get(ss, "routes")), 16);
	assert_int_equal(json_array_size(get(ss, "groups")), 4);
	spine = find_switch(cfg, "spine5");
	assert_string_equal(get_str(spine, "role"), "spine");
	assert_string_equal(get_str(get(find_port(spine, 3), "link"), "peer_switch"), "superspine3");
	assert_string_equal(get_str(find_switch(cfg, "leaf7"), "role"), "leaf");
	json_decref(cfg);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_write_matches_build),
		cmocka_unit_test(test_veth_names),
		cmocka_unit_test(test_only_missing_devargs),
		cmocka_unit_test(test_devargs_passthrough),
		cmocka_unit_test(test_only_with_devargs),
		cmocka_unit_test(test_one_sided_devargs),
		cmocka_unit_test(test_fat_tree_superspines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
