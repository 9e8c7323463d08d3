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

#include "loom/flow_hash.h"
#include "topo/topology.h"

#ifndef LOOM_SOURCE_ROOT
#define LOOM_SOURCE_ROOT "."
#endif
#define TOPO_DIR LOOM_SOURCE_ROOT "/vm/topologies/"

static void load_ok(const char *yaml, struct topology *t)
{
	char err[512];

	if (topo_load_string(yaml, "g.yaml", t, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
}

static void expect_error(const char *yaml, const char *where, const char *keyword)
{
	struct topology t;
	char err[512];
	int rc = topo_load_string(yaml, "g.yaml", &t, err, sizeof(err));

	if (rc != -1 || !strstr(err, where) || !strstr(err, keyword))
		fail_msg("rc %d, message '%s'; expected '%s' and '%s'", rc, err, where, keyword);
}

static void load_file(const char *name, struct topology *t)
{
	char path[512], err[512];

	snprintf(path, sizeof(path), TOPO_DIR "%s", name);
	if (topo_load(path, t, err, sizeof(err)) != 0)
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
	assert_int_equal(a->n_switches, b->n_switches);
	assert_int_equal(a->n_hosts, b->n_hosts);
	assert_int_equal(a->n_links, b->n_links);
	for (int i = 0; i < a->n_switches; i++) {
		const struct topo_switch *x = &a->switches[i], *y = &b->switches[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->role, y->role);
		assert_int_equal(x->plane, y->plane);
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
	assert_int_equal(topo_write_explicit(t, out), 0);
	fclose(out);
	return text;
}

static void round_trip(const struct topology *t)
{
	struct topology back;
	char err[512];
	char *text = write_to_string(t);

	if (topo_load_string(text, "written.yaml", &back, err, sizeof(err)) != 0)
		fail_msg("%s\n--- written:\n%s", err, text);
	assert_same(t, &back);
	topo_free(&back);
	free(text);
}

static void test_round_trip_examples(void **state)
{
	static const char *const files[] = {
		"default.yaml", "two-plane-4x8.yaml", "oversubscribed.yaml", "small-explicit.yaml",
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
