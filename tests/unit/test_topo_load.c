/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Topology loading: every validation rule gives "file:LINE: problem" with
 * the line of the offending node; the example files load with the counts
 * they promise; the unit parsers and the addressing helpers.
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
#include "topo_fixtures.h"

#ifndef LOOM_SOURCE_ROOT
#define LOOM_SOURCE_ROOT "."
#endif
#define TOPO_DIR LOOM_SOURCE_ROOT "/vm/topologies/"

/*
 * A valid fabric the error cases start from. Line numbers matter: cases
 * append at line 23 or replace a whole section.
 */
#define SWITCHES                      \
	"fabric: t\n"                 /* 1 */ \
	"switches:\n"                 /* 2 */ \
	"  - name: spine0\n"          /* 3 */ \
	"    role: spine\n"           /* 4 */ \
	"  - name: leaf0\n"           /* 5 */ \
	"    role: leaf\n"            /* 6 */ \
	"    ipv4: 10.0.0.0/24\n"     /* 7 */ \
	"  - name: leaf1\n"           /* 8 */ \
	"    role: leaf\n"            /* 9 */ \
	"    ipv4: 10.0.1.0/24\n"     /* 10 */
#define HOSTS                         \
	"hosts:\n"                    /* 11 */ \
	"  - name: h0\n"              /* 12 */ \
	"  - name: h1\n"              /* 13 */
#define LINKS                         \
	"links:\n"                    /* 14 */ \
	"  - a: h0\n"                 /* 15 */ \
	"    b: leaf0:0\n"            /* 16 */ \
	"  - a: h1\n"                 /* 17 */ \
	"    b: leaf1:0\n"            /* 18 */ \
	"  - a: leaf0:1\n"            /* 19 */ \
	"    b: spine0:0\n"           /* 20 */ \
	"  - a: leaf1:1\n"            /* 21 */ \
	"    b: spine0:1\n"           /* 22 */
#define BASE SWITCHES HOSTS LINKS

static void expect_error(const char *yaml, const char *where, const char *keyword)
{
	struct topology t;

	load_string_refused(yaml, where, keyword, &t);
	/* nothing is left allocated on error */
	assert_null(t.switches);
	assert_null(t.hosts);
	assert_null(t.links);
	assert_int_equal(t.n_switches, 0);
}

/* --- valid input ------------------------------------------------------------- */

static void test_base_ok(void **state)
{
	struct topology t;

	load_string(BASE, &t);
	assert_string_equal(t.name, "t");
	assert_string_equal(t.file, "t.yaml");
	assert_int_equal(t.n_switches, 3);
	assert_int_equal(t.n_hosts, 2);
	assert_int_equal(t.n_links, 4);
	assert_int_equal(t.n_planes, 1);
	assert_int_equal(t.default_rate_bps, 10000000000ull);
	assert_int_equal(t.default_delay_ns, 1000);
	/* "h0" means the interface of its leaf's plane */
	assert_true(t.links[0].a.is_host);
	assert_int_equal(t.links[0].a.port, 0);
	assert_int_equal(t.switches[0].n_ports, 2);
	assert_int_equal(t.switches[1].n_ports, 2);
	assert_int_equal(t.switches[0].pos.line, 3);
	assert_int_equal(t.links[3].pos.line, 21);
	assert_int_equal(topo_switch_index(&t, "leaf1"), 2);
	assert_int_equal(topo_switch_index(&t, "h0"), -1);
	assert_int_equal(topo_host_index(&t, "h1"), 1);
	assert_int_equal(topo_host_index(&t, "nope"), -1);
	topo_free(&t);
	assert_null(t.switches);
}

static void test_example_default(void **state)
{
	struct topology t;
	char err[512];

	if (topo_load(TOPO_DIR "default.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(t.name, "default");
	assert_int_equal(t.n_switches, 6);
	assert_int_equal(t.n_hosts, 8);
	assert_int_equal(t.n_links, 16);
	assert_int_equal(t.n_planes, 1);
	topo_free(&t);
}

static void test_example_two_plane(void **state)
{
	struct topology t;
	char err[512];

	if (topo_load(TOPO_DIR "two-plane-4x8.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(t.n_switches, 24);
	assert_int_equal(t.n_hosts, 16);
	assert_int_equal(t.n_links, 96);
	assert_int_equal(t.n_planes, 2);
	topo_free(&t);
}

static void test_example_oversubscribed(void **state)
{
	struct topology t;
	char err[512];
	uint64_t down = 0, up = 0;

	if (topo_load(TOPO_DIR "oversubscribed.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(t.n_switches, 6);
	assert_int_equal(t.n_hosts, 16);
	assert_int_equal(t.n_links, 24);
	/* leaf0: 2:1 */
	for (int i = 0; i < t.n_links; i++) {
		const struct topo_link *l = &t.links[i];

		if (l->b.node == topo_switch_index(&t, "leaf0") && l->a.is_host)
			down += l->rate_bps;
		if (!l->a.is_host && l->a.node == topo_switch_index(&t, "leaf0"))
			up += l->rate_bps;
	}
	assert_int_equal(down, 40000000000ull);
	assert_int_equal(up, 20000000000ull);
	topo_free(&t);
}

static void test_example_small_explicit(void **state)
{
	struct topology t;
	char err[512], buf[64];
	int leaf0, spine0, spine1;

	if (topo_load(TOPO_DIR "small-explicit.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(t.name, "small");
	assert_int_equal(t.n_switches, 4);
	assert_int_equal(t.n_hosts, 2);
	assert_int_equal(t.n_links, 6);
	leaf0 = topo_switch_index(&t, "leaf0");
	spine0 = topo_switch_index(&t, "spine0");
	spine1 = topo_switch_index(&t, "spine1");
	assert_int_equal(t.switches[spine1].hash_seed, 12345);
	assert_int_equal(t.switches[spine0].hash_seed, loom_seed_from_name("spine0"));
	assert_int_equal(t.switches[leaf0].n_ports, 3);
	assert_int_equal(t.switches[spine0].n_ports, 2);
	topo_format_prefix(&t.switches[leaf0].subnet4, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/24");
	topo_format_prefix(&t.switches[leaf0].subnet6, buf, sizeof(buf));
	assert_string_equal(buf, "fd00::/64");
	assert_int_equal(t.switches[spine0].subnet4.family, 0);
	/* leaf0:1 - spine0:0 overrides rate and delay */
	assert_int_equal(t.links[2].rate_bps, 40000000000ull);
	assert_int_equal(t.links[2].delay_ns, 2000);
	assert_int_equal(t.links[3].rate_bps, 10000000000ull);
	assert_int_equal(t.links[3].delay_ns, 1000);
	/* host end on side b */
	assert_true(t.links[1].b.is_host);
	assert_int_equal(t.links[1].b.port, 0);
	assert_int_equal(t.hosts[1].port_type, TOPO_PORT_AF_PACKET);
	topo_free(&t);
}

static void test_explicit_options(void **state)
{
	struct topology t;

	load_string("fabric: x\n"
		"defaults:\n"
		"  link_rate: 400Gbps\n"
		"  delay: 0\n"
		"switches:\n"
		"  - name: s\n"
		"    role: spine\n"
		"    plane: 1\n"
		"    options:\n"
		"      hash_seed: 0xdeadbeef\n"
		"  - name: s0\n"
		"    role: spine\n"
		"  - name: l0\n"
		"    role: leaf\n"
		"  - name: l\n"
		"    role: leaf\n"
		"    plane: 1\n"
		"    ipv4: 192.168.0.0/29\n"
		"hosts:\n"
		"  - name: h\n"
		"    port_type: af_xdp\n"
		"links:\n"
		"  - a: l:0\n"
		"    b: s:7\n"
		"    devargs_a: \"net_null0\"\n"
		"    devargs_b: \"net_null1\"\n"
		"  - a: h:eth1\n"
		"    b: l:1\n"
		"  - a: l0:3\n"
		"    b: s0:0\n",
		&t);
	assert_int_equal(t.n_planes, 2);
	assert_int_equal(t.default_rate_bps, 400000000000ull);
	assert_int_equal(t.default_delay_ns, 0);
	assert_int_equal(t.switches[0].hash_seed, 0xdeadbeefu);
	assert_int_equal(t.switches[0].n_ports, 8);
	assert_int_equal(t.switches[2].n_ports, 4);
	assert_int_equal(t.hosts[0].port_type, TOPO_PORT_AF_XDP);
	assert_string_equal(t.links[0].a.devargs, "net_null0");
	assert_string_equal(t.links[0].b.devargs, "net_null1");
	assert_int_equal(t.links[1].a.port, 1);
	assert_int_equal(t.links[0].rate_bps, 400000000000ull);
	topo_free(&t);
}

static void test_open_missing_file(void **state)
{
	struct topology t;
	char err[512];

	assert_int_equal(topo_load("/nonexistent/x.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.yaml"));
	assert_non_null(strstr(err, "No such file"));
}

/* --- structure: keys and types ------------------------------------------------- */

/* mtu: per link, in defaults: and in generate:; 68..9000; af_xdp's limit;
 * the explicit form keeps it. */
static void test_mtu(void **state)
{
	struct topology t;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	load_string(BASE, &t);
	for (int i = 0; i < t.n_links; i++)
		assert_int_equal(t.links[i].mtu, 1500);
	topo_free(&t);

	load_string(BASE "  - a: leaf0:2\n    b: spine0:2\n    mtu: 1500\ndefaults:\n  mtu: 9000\n", &t);
	assert_int_equal(t.default_mtu, 9000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(t.links[i].mtu, 9000);
	assert_int_equal(t.links[4].mtu, 1500);
	topo_free(&t);
	load_string(BASE "  - a: leaf0:2\n    b: spine0:2\n    mtu: 4000\n", &t);
	assert_int_equal(t.links[0].mtu, 1500);
	assert_int_equal(t.links[4].mtu, 4000);
	mem = open_memstream(&buf, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, mem), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "    mtu: 4000\n"));
	assert_null(strstr(buf, "mtu: 1500"));
	free(buf);
	topo_free(&t);

	load_string("fabric: t\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  mtu: 9000\n", &t);
	for (int i = 0; i < t.n_links; i++)
		assert_int_equal(t.links[i].mtu, 9000);
	topo_free(&t);
	load_string("fabric: t\ndefaults:\n  mtu: 68\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n", &t);
	for (int i = 0; i < t.n_links; i++)
		assert_int_equal(t.links[i].mtu, 68);
	topo_free(&t);

	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    mtu: 9001\n", "t.yaml:25:", "mtu 9001 out of range 68..9000");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    mtu: 67\n", "t.yaml:25:", "out of range 68..9000");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    mtu: big\n", "t.yaml:25:", "mtu");
	expect_error("fabric: t\ndefaults:\n  mtu: 0\n", "t.yaml:3:", "out of range 68..9000");
	expect_error("fabric: t\ngenerate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n  mtu: 10000\n",
		     "t.yaml:6:", "out of range 68..9000");
	/* af_xdp: its own link at most 1500 (what carries full frames today), any link at most 3560 */
	expect_error("fabric: t\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  port_type: af_xdp\n"
		     "  mtu: 1501\n",
		     "t.yaml:2:", "af_xdp host's link carries at most 1500 today");
	expect_error("fabric: t\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  port_type: af_xdp\n"
		     "  mtu: 3507\n",
		     "t.yaml:2:", "XDP limit on a veth is 3506");
	expect_error(SWITCHES "hosts:\n  - name: h0\n    port_type: af_xdp\n  - name: h1\n" LINKS
		     "  - a: leaf0:2\n    b: spine0:2\n    mtu: 3561\n",
		     "t.yaml:16:", "af_xdp host h0 in a fabric with mtu 3561 (the link at line 24)");
	expect_error(SWITCHES "hosts:\n  - name: h0\n    port_type: af_xdp\n  - name: h1\n" LINKS
		     "  - a: leaf0:2\n    b: spine0:2\n    mtu: 9000\n",
		     "t.yaml:16:", "af_xdp host h0 in a fabric with mtu 9000 (the link at line 24)");
	load_string("fabric: t\ngenerate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  port_type: af_xdp\n"
		"  mtu: 1500\n", &t);
	topo_free(&t);
	load_string(SWITCHES "hosts:\n  - name: h0\n    port_type: af_xdp\n  - name: h1\n" LINKS
		"  - a: leaf0:2\n    b: spine0:2\n    mtu: 3560\n", &t);
	topo_free(&t);
}

static void test_err_yaml_syntax(void **state)
{
	expect_error("fabric: t\nswitches:\n  - name: [a\n", "t.yaml:", "YAML");
	expect_error("", "t.yaml:1:", "empty");
	expect_error("# only a comment\n", "t.yaml:1:", "empty");
}

static void test_err_unknown_keys(void **state)
{
	expect_error("fabric: t\nfoo: 1\n", "t.yaml:2:", "unknown key 'foo' in the top level");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    rat: 10G\n", "t.yaml:25:",
		     "unknown key 'rat' in link");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plan: 1\n",
		     "t.yaml:5:", "unknown key 'plan' in switch");
	expect_error("fabric: t\ndefaults:\n  rate: 1G\n", "t.yaml:3:",
		     "unknown key 'rate' in defaults");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    options:\n"
		     "      seed: 1\n",
		     "t.yaml:6:", "unknown key 'seed' in options");
	expect_error(SWITCHES "hosts:\n  - name: h0\n    type: af_xdp\n", "t.yaml:13:",
		     "unknown key 'type' in host");
	expect_error("fabric: t\ngenerate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n"
		     "  hosts: 2\n",
		     "t.yaml:6:", "unknown key 'hosts' in generate");
	expect_error("fabric: t\nfabric: u\n", "t.yaml:2:", "duplicate key 'fabric'");
}

static void test_err_missing_keys(void **state)
{
	expect_error("switches: []\n", "t.yaml:1:", "missing key 'fabric'");
	expect_error("fabric: t\nswitches:\n  - name: s0\n", "t.yaml:3:",
		     "missing key 'role' in switch");
	expect_error("fabric: t\nswitches:\n  - role: leaf\n", "t.yaml:3:",
		     "missing key 'name' in switch");
	expect_error(SWITCHES "hosts:\n  - port_type: af_xdp\n", "t.yaml:12:",
		     "missing key 'name' in host");
	expect_error(BASE "  - a: leaf0:2\n", "t.yaml:23:", "missing key 'b' in link");
	expect_error(BASE "  - b: leaf0:2\n", "t.yaml:23:", "missing key 'a' in link");
	expect_error("fabric: t\ngenerate:\n  spines: 1\n  hosts_per_leaf: 1\n", "t.yaml:3:",
		     "missing key 'leaves' in generate");
}

static void test_err_types(void **state)
{
	expect_error("- a\n- b\n", "t.yaml:1:", "must be a mapping");
	expect_error("fabric: t\nswitches: leaf0\n", "t.yaml:2:",
		     "'switches' must be a sequence");
	expect_error("fabric: t\nswitches:\n  - leaf0\n", "t.yaml:3:",
		     "switch must be a mapping");
	expect_error("fabric: t\nswitches:\n  - name: [a, b]\n    role: leaf\n", "t.yaml:3:",
		     "'name' must be a scalar");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plane: one\n",
		     "t.yaml:5:", "'plane' must be an integer");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plane: -1\n",
		     "t.yaml:5:", "'plane' must be an integer");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plane:\n",
		     "t.yaml:5:", "'plane' is empty");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    options: 3\n",
		     "t.yaml:5:", "options must be a mapping");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    options:\n"
		     "      hash_seed: 4294967296\n",
		     "t.yaml:6:", "out of range");
	expect_error(SWITCHES "hosts: h0\n", "t.yaml:11:", "'hosts' must be a sequence");
	expect_error(SWITCHES HOSTS "links:\n  - a: {x: 1}\n    b: leaf0:0\n", "t.yaml:15:",
		     "'a' must be a scalar");
	expect_error(SWITCHES "hosts:\n  - name: h0\n    port_type: tap\n", "t.yaml:13:",
		     "bad port_type 'tap'");
}

static void test_err_names(void **state)
{
	expect_error("fabric: bad.name\n", "t.yaml:1:", "bad name 'bad.name'");
	expect_error("fabric: t\nswitches:\n  - name: leaf 0\n    role: leaf\n", "t.yaml:3:",
		     "bad name 'leaf 0'");
	expect_error("fabric: t\nswitches:\n  - name: leaf:0\n    role: leaf\n", "t.yaml:3:",
		     "bad name");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: abcdefghijklmnopqrstuvwxyz012345\n    role: leaf\n",
		     "t.yaml:3:", "bad name");
	/* 31 characters are fine */
	expect_error("fabric: t\nswitches:\n"
		     "  - name: abcdefghijklmnopqrstuvwxyz01234\n    role: leaf\n"
		     "  - name: s\n    role: spine\n",
		     "t.yaml:5:", "s is not connected");
}

static void test_err_duplicate_names(void **state)
{
	expect_error("fabric: t\nswitches:\n"
		     "  - name: leaf0\n    role: leaf\n"
		     "  - name: leaf0\n    role: spine\n",
		     "t.yaml:5:", "duplicate name 'leaf0' (first at line 3)");
	/* switches and hosts share one namespace */
	expect_error(SWITCHES "hosts:\n  - name: h0\n  - name: spine0\n", "t.yaml:13:",
		     "duplicate name 'spine0' (first at line 3)");
	expect_error(SWITCHES "hosts:\n  - name: h0\n  - name: h0\n", "t.yaml:13:",
		     "duplicate name 'h0' (first at line 12)");
}

static void test_err_role_plane(void **state)
{
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: core\n", "t.yaml:4:",
		     "bad role 'core' (leaf, spine or superspine)");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plane: 16\n",
		     "t.yaml:5:", "plane 16 out of range 0..15");
	/* planes are numbered without gaps */
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    plane: 1\n",
		     "t.yaml:2:", "plane 0 has no switches");
}

/* --- link ends --------------------------------------------------------------- */

static void test_err_link_ends(void **state)
{
	expect_error(BASE "  - a: leaf9:0\n    b: spine0:2\n", "t.yaml:23:",
		     "unknown switch or host 'leaf9'");
	expect_error(BASE "  - a: leaf0:2\n    b: spine9:2\n", "t.yaml:24:",
		     "unknown switch or host 'spine9'");
	expect_error(BASE "  - a: leaf0:x\n    b: spine0:2\n", "t.yaml:23:", "bad port");
	expect_error(BASE "  - a: leaf0:-1\n    b: spine0:2\n", "t.yaml:23:", "bad port");
	expect_error(BASE "  - a: \"leaf0:\"\n    b: spine0:2\n", "t.yaml:23:", "bad port");
	expect_error(BASE "  - a: leaf0\n    b: spine0:2\n", "t.yaml:23:", "needs a port");
	expect_error(BASE "  - a: leaf0:256\n    b: spine0:2\n", "t.yaml:23:",
		     "out of range 0..255");
	expect_error(BASE "  - a: :3\n    b: spine0:2\n", "t.yaml:23:", "bad link end");
	expect_error(BASE "  - a: h0:wlan0\n    b: leaf1:3\n", "t.yaml:23:", "bad interface");
	expect_error(BASE "  - a: h0:eth16\n    b: leaf1:3\n", "t.yaml:23:",
		     "out of range eth0..eth15");
}

static void test_err_port_reuse(void **state)
{
	expect_error(BASE "  - a: leaf0:1\n    b: spine0:2\n", "t.yaml:23:",
		     "port leaf0:1 already used by the link at line 19");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:1\n", "t.yaml:24:",
		     "port spine0:1 already used by the link at line 21");
}

static void test_err_host_links(void **state)
{
	/* a host interface used twice = two links in one plane */
	expect_error(BASE "  - a: h0\n    b: leaf1:2\n", "t.yaml:23:",
		     "host h0 already has a link in plane 0");
	expect_error(BASE "  - a: leaf1:2\n    b: h0:eth0\n", "t.yaml:24:", "already has a link");
	expect_error(BASE "  - a: spine0:5\n    b: h1\n", "t.yaml:24:",
		     "host h1 linked to spine spine0");
	expect_error(BASE "  - a: h0:eth1\n    b: leaf1:2\n", "t.yaml:23:",
		     "interface eth1 does not match plane 0");
	expect_error(BASE "  - a: h0\n    b: h1\n", "t.yaml:23:", "two hosts");
	expect_error(SWITCHES "hosts:\n  - name: h0\n  - name: h1\n  - name: h2\n"
		     "links:\n  - a: h0\n    b: leaf0:0\n  - a: h1\n    b: leaf1:0\n"
		     "  - a: leaf0:1\n    b: spine0:0\n  - a: leaf1:1\n    b: spine0:1\n",
		     "t.yaml:14:", "host h2 has no links");
}

static void test_err_switch_links(void **state)
{
	expect_error(BASE "  - a: leaf0:2\n    b: leaf1:2\n", "t.yaml:23:",
		     "link leaf0 - leaf1 joins two leaves");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: s0\n    role: spine\n"
		     "  - name: s1\n    role: spine\n"
		     "links:\n  - a: s0:0\n    b: s1:0\n",
		     "t.yaml:8:", "joins two spines");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: s0\n    role: spine\n"
		     "  - name: l1\n    role: leaf\n    plane: 1\n"
		     "links:\n  - a: l1:0\n    b: s0:0\n",
		     "t.yaml:9:", "crosses planes 1 and 0");
}

static void test_err_devargs(void **state)
{
	expect_error(SWITCHES HOSTS
		     "links:\n"
		     "  - a: h0\n"
		     "    b: leaf0:0\n"
		     "    devargs_a: \"net_null0\"\n",
		     "t.yaml:17:", "devargs_a on host end h0");
	expect_error(BASE
		     "  - a: leaf0:2\n"
		     "    b: spine0:2\n"
		     "    devargs_a: \"net_null0\"\n"
		     "  - a: leaf1:2\n"
		     "    b: spine0:3\n"
		     "    devargs_b: \"net_null0\"\n",
		     "t.yaml:28:", "devargs 'net_null0' already used by the link at line 23");
}

static void test_err_rates_delays(void **state)
{
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    rate: fast\n", "t.yaml:25:",
		     "bad rate 'fast'");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    rate: 0G\n", "t.yaml:25:",
		     "bad rate '0G'");
	expect_error(BASE "  - a: leaf0:2\n    b: spine0:2\n    delay: 5 parsecs\n",
		     "t.yaml:25:", "bad delay '5 parsecs'");
	expect_error("fabric: t\ndefaults:\n  link_rate: 10Q\n", "t.yaml:3:", "bad rate '10Q'");
	expect_error("fabric: t\ndefaults:\n  delay: 1\n", "t.yaml:3:", "bad delay '1'");
}

/* --- prefixes ------------------------------------------------------------------ */

#define LEAF_PREFIX(key, value)                       \
	"fabric: t\nswitches:\n"                      \
	"  - name: spine0\n    role: spine\n"         \
	"  - name: leaf0\n    role: leaf\n"           \
	"    " key ": " value "\n" /* line 7 */       \
	"links:\n  - a: leaf0:0\n    b: spine0:0\n"

static void test_err_prefixes(void **state)
{
	struct topology t;

	load_string(LEAF_PREFIX("ipv4", "10.0.0.0/30"), &t);
	topo_free(&t);
	load_string(LEAF_PREFIX("ipv6", "\"fd00::/126\""), &t);
	topo_free(&t);
	expect_error(LEAF_PREFIX("ipv4", "banana"), "t.yaml:7:", "bad prefix 'banana'");
	expect_error(LEAF_PREFIX("ipv4", "10.0.0.0"), "t.yaml:7:", "bad prefix");
	expect_error(LEAF_PREFIX("ipv4", "\"fd00::/64\""), "t.yaml:7:", "not an IPv4 prefix");
	expect_error(LEAF_PREFIX("ipv6", "10.0.0.0/24"), "t.yaml:7:", "not an IPv6 prefix");
	expect_error(LEAF_PREFIX("ipv4", "10.0.0.1/24"), "t.yaml:7:", "host bits set");
	expect_error(LEAF_PREFIX("ipv6", "\"fd00::1/64\""), "t.yaml:7:", "host bits set");
	expect_error(LEAF_PREFIX("ipv4", "10.0.0.0/31"), "t.yaml:7:", "at most 30");
	expect_error(LEAF_PREFIX("ipv6", "\"fd00::/127\""), "t.yaml:7:", "at most 126");
	expect_error("fabric: t\nswitches:\n  - name: spine0\n    role: spine\n"
		     "    ipv4: 10.0.0.0/24\n",
		     "t.yaml:5:", "ipv4 on spine spine0");
	expect_error("fabric: t\nswitches:\n  - name: spine0\n    role: spine\n"
		     "    ipv6: \"fd00::/64\"\n",
		     "t.yaml:5:", "ipv6 on spine spine0");
}

static void test_err_subnets(void **state)
{
	/* hosts need an IPv4 subnet on their leaf */
	expect_error("fabric: t\nswitches:\n"
		     "  - name: leaf0\n    role: leaf\n"
		     "hosts:\n  - name: h0\n"
		     "links:\n  - a: h0\n    b: leaf0:0\n",
		     "t.yaml:3:", "leaf leaf0 has hosts but no ipv4");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: spine0\n    role: spine\n"
		     "  - name: leaf0\n    role: leaf\n    ipv4: 10.0.0.0/23\n"
		     "  - name: leaf1\n    role: leaf\n    ipv4: 10.0.1.0/24\n"
		     "links:\n  - a: leaf0:0\n    b: spine0:0\n  - a: leaf1:0\n    b: spine0:1\n",
		     "t.yaml:10:", "subnet 10.0.1.0/24 of leaf1 overlaps 10.0.0.0/23 of leaf0 (line 7)");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: spine0\n    role: spine\n"
		     "  - name: leaf0\n    role: leaf\n    ipv6: \"fd00::/64\"\n"
		     "  - name: leaf1\n    role: leaf\n    ipv6: \"fd00::/48\"\n"
		     "links:\n  - a: leaf0:0\n    b: spine0:0\n  - a: leaf1:0\n    b: spine0:1\n",
		     "t.yaml:10:", "overlaps");
	/* the host on port P gets subnet + 2 + P: in a /30, only port 0 fits */
	expect_error("fabric: t\nswitches:\n"
		     "  - name: leaf0\n    role: leaf\n    ipv4: 10.0.0.0/30\n"
		     "hosts:\n  - name: h0\n"
		     "links:\n  - a: h0\n    b: leaf0:1\n",
		     "t.yaml:10:", "outside 10.0.0.0/30");
}

/* --- three tiers ------------------------------------------------------------------ */

/*
 * Two pods of one spine and one leaf each, joined by one superspine.
 * Cases append links at line 35 or replace a section, as with BASE.
 */
#define TIER_SWITCHES                         \
	"fabric: t\n"                 /* 1 */ \
	"switches:\n"                 /* 2 */ \
	"  - name: ss0\n"             /* 3 */ \
	"    role: superspine\n"      /* 4 */ \
	"  - name: sp0\n"             /* 5 */ \
	"    role: spine\n"           /* 6 */ \
	"    pod: 0\n"                /* 7 */ \
	"  - name: sp1\n"             /* 8 */ \
	"    role: spine\n"           /* 9 */ \
	"    pod: 1\n"                /* 10 */ \
	"  - name: l0\n"              /* 11 */ \
	"    role: leaf\n"            /* 12 */ \
	"    pod: 0\n"                /* 13 */ \
	"    ipv4: 10.0.0.0/24\n"     /* 14 */ \
	"  - name: l1\n"              /* 15 */ \
	"    role: leaf\n"            /* 16 */ \
	"    pod: 1\n"                /* 17 */ \
	"    ipv4: 10.0.1.0/24\n"     /* 18 */
#define TIER_HOSTS                            \
	"hosts:\n"                    /* 19 */ \
	"  - name: h0\n"              /* 20 */ \
	"  - name: h1\n"              /* 21 */
#define TIER_HOST_LINKS                       \
	"links:\n"                    /* 22 */ \
	"  - a: h0\n"                 /* 23 */ \
	"    b: l0:0\n"               /* 24 */ \
	"  - a: h1\n"                 /* 25 */ \
	"    b: l1:0\n"               /* 26 */ \
	"  - a: l0:1\n"               /* 27 */ \
	"    b: sp0:0\n"              /* 28 */ \
	"  - a: l1:1\n"               /* 29 */ \
	"    b: sp1:0\n"              /* 30 */
#define TIER_UPLINKS                          \
	"  - a: sp0:1\n"              /* 31 */ \
	"    b: ss0:0\n"              /* 32 */ \
	"  - a: sp1:1\n"              /* 33 */ \
	"    b: ss0:1\n"              /* 34 */
#define TIER TIER_SWITCHES TIER_HOSTS TIER_HOST_LINKS TIER_UPLINKS

static void test_three_tier_ok(void **state)
{
	struct topology t;

	load_string(TIER, &t);
	assert_int_equal(t.n_switches, 5);
	assert_int_equal(t.n_tiers, 3);
	assert_int_equal(t.n_pods, 2);
	assert_int_equal(t.n_planes, 1);
	assert_false(t.planes_joined);
	assert_int_equal(t.switches[0].role, TOPO_SUPERSPINE);
	assert_int_equal(t.switches[0].pod, TOPO_NO_POD);
	assert_int_equal(t.switches[0].plane, 0);
	assert_int_equal(t.switches[0].n_ports, 2);
	assert_int_equal(t.switches[2].pod, 1);
	assert_int_equal(t.switches[4].pod, 1);
	assert_string_equal(topo_role_name(t.switches[0].role), "superspine");
	topo_free(&t);

	/* parallel spine-superspine links are fine, as parallel uplinks are */
	load_string(TIER "  - a: sp0:2\n    b: ss0:2\n", &t);
	assert_int_equal(t.switches[0].n_ports, 3);
	topo_free(&t);

	/* without pods, a leaf and a spine are in pod 0 */
	load_string(BASE, &t);
	assert_int_equal(t.n_tiers, 2);
	assert_int_equal(t.n_pods, 1);
	for (int s = 0; s < t.n_switches; s++)
		assert_int_equal(t.switches[s].pod, 0);
	topo_free(&t);
}

static void test_err_three_tier_links(void **state)
{
	expect_error(TIER "  - a: l0:2\n    b: ss0:2\n", "t.yaml:35:",
		     "link l0 - ss0 joins a leaf and a superspine");
	expect_error(TIER "  - a: ss0:2\n    b: l1:2\n", "t.yaml:35:",
		     "link ss0 - l1 joins a leaf and a superspine");
	expect_error(TIER "  - a: l0:2\n    b: sp1:2\n", "t.yaml:35:",
		     "link l0 - sp1 crosses pods 0 and 1");
	expect_error(TIER_SWITCHES "  - name: ss1\n    role: superspine\n" TIER_HOSTS
		     TIER_HOST_LINKS TIER_UPLINKS "  - a: ss0:2\n    b: ss1:0\n",
		     "t.yaml:37:", "joins two superspines");
	expect_error(TIER "  - a: ss0:5\n    b: h1\n", "t.yaml:36:",
		     "host h1 linked to superspine ss0: hosts attach to leaves");
}

static void test_err_three_tier_switches(void **state)
{
	expect_error("fabric: t\nswitches:\n  - name: ss0\n    role: superspine\n    pod: 1\n",
		     "t.yaml:5:", "pod on superspine ss0: super-spines belong to no pod");
	expect_error("fabric: t\nswitches:\n  - name: ss0\n    role: superspine\n"
		     "    ipv4: 10.0.0.0/24\n",
		     "t.yaml:5:", "ipv4 on superspine ss0: only leaves have host subnets");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    pod: 256\n",
		     "t.yaml:5:", "pod 256 out of range 0..255");
	expect_error("fabric: t\nswitches:\n  - name: s\n    role: spine\n    pod: x\n",
		     "t.yaml:5:", "'pod' must be an integer");
	/* pod 1 has no way to pod 0 without a superspine */
	expect_error(TIER_SWITCHES TIER_HOSTS TIER_HOST_LINKS "  - a: sp0:1\n    b: ss0:0\n",
		     "t.yaml:8:", "sp1 is not connected to the rest of plane 0");
	expect_error(TIER_SWITCHES TIER_HOSTS TIER_HOST_LINKS,
		     "t.yaml:5:", "sp0 is not connected to the rest of plane 0");
}

/* Two planes of one pod each; the superspine is shared or not. */
#define TWO_PLANES(joined, ss_plane)                                           \
	"fabric: t\n"                                          /* 1 */ \
	joined                                                 /* 2 */ \
	"switches:\n"                                          /* 3 */ \
	"  - name: ss0\n"                                      /* 4 */ \
	"    role: superspine\n"                               /* 5 */ \
	ss_plane                                               /* 6 */ \
	"  - { name: a0, role: spine }\n"                      /* 7 */ \
	"  - { name: a1, role: spine, plane: 1 }\n"            /* 8 */ \
	"  - { name: e0, role: leaf, ipv4: 10.0.0.0/24 }\n"    /* 9 */ \
	"  - { name: e1, role: leaf, plane: 1, ipv4: 10.1.0.0/24 }\n" \
	"links:\n"                                             /* 11 */ \
	"  - { a: \"e0:0\", b: \"a0:0\" }\n"                   /* 12 */ \
	"  - { a: \"e1:0\", b: \"a1:0\" }\n"                   /* 13 */ \
	"  - { a: \"a0:1\", b: \"ss0:0\" }\n"                  /* 14 */ \
	"  - { a: \"a1:1\", b: \"ss0:1\" }\n"                  /* 15 */

static void test_planes_joined(void **state)
{
	struct topology t;

	load_string(TWO_PLANES("planes_joined: true\n", "    options: { hash_seed: 1 }\n"), &t);
	assert_true(t.planes_joined);
	assert_int_equal(t.n_planes, 2);
	assert_int_equal(t.switches[0].plane, 0);
	assert_int_equal(t.switches[0].n_ports, 2);
	topo_free(&t);
	/* false is the default */
	expect_error(TWO_PLANES("planes_joined: false\n", "    plane: 0\n"), "t.yaml:15:",
		     "link a1 - ss0 crosses planes 1 and 0");
	expect_error(TWO_PLANES("", "    plane: 0\n"), "t.yaml:14:", "crosses planes 1 and 0"); /* one line less */
	expect_error(TWO_PLANES("planes_joined: true\n", "    plane: 0\n"), "t.yaml:6:",
		     "plane on superspine ss0: with planes_joined the super-spines are shared by every plane");
	expect_error(TWO_PLANES("planes_joined: yes\n", ""), "t.yaml:2:",
		     "'planes_joined' must be true or false, not 'yes'");
	/* a shared superspine linked to nothing */
	expect_error("fabric: t\nplanes_joined: true\nswitches:\n"
		     "  - { name: a0, role: spine }\n"
		     "  - { name: e0, role: leaf }\n"
		     "  - { name: ss0, role: superspine }\n"
		     "links:\n  - { a: \"e0:0\", b: \"a0:0\" }\n",
		     "t.yaml:6:", "ss0 is not connected to the rest of the fabric");
	/* the generator has its own */
	expect_error("fabric: t\nplanes_joined: true\ngenerate:\n  spines: 1\n  leaves: 1\n"
		     "  hosts_per_leaf: 1\n",
		     "t.yaml:2:", "top-level 'planes_joined' cannot be combined with 'generate' (line 3)");
}

/* --- the fabric as a whole ------------------------------------------------------ */

static void test_err_connectivity(void **state)
{
	expect_error(SWITCHES HOSTS
		     "links:\n"
		     "  - a: h0\n    b: leaf0:0\n"
		     "  - a: h1\n    b: leaf1:0\n"
		     "  - a: leaf0:1\n    b: spine0:0\n",
		     "t.yaml:8:", "leaf1 is not connected to the rest of plane 0");
	expect_error("fabric: t\nswitches:\n"
		     "  - name: spine0\n    role: spine\n"
		     "  - name: spine1\n    role: spine\n"
		     "  - name: leaf0\n    role: leaf\n",
		     "t.yaml:5:", "spine1 is not connected to the rest of plane 0");
	/* plane 1 is checked on its own, from its first switch */
	expect_error("fabric: t\nswitches:\n"
		     "  - name: s0\n    role: spine\n"
		     "  - name: s1\n    role: spine\n    plane: 1\n"
		     "  - name: l0\n    role: leaf\n    plane: 1\n"
		     "  - name: l1\n    role: leaf\n    plane: 1\n"
		     "links:\n  - a: l0:0\n    b: s1:0\n",
		     "t.yaml:11:", "l1 is not connected to the rest of plane 1");
}

static void test_err_no_switches(void **state)
{
	expect_error("fabric: t\nswitches: []\n", "t.yaml:2:", "no switches");
	expect_error("fabric: t\n", "t.yaml:1:", "no switches");
	expect_error("fabric: t\nhosts:\n  - name: h0\n", "t.yaml:1:", "no switches");
}

static void test_err_generator(void **state)
{
#define GEN(s, l, h, p)                                                  \
	"fabric: g\ngenerate:\n  spines: " s "\n  leaves: " l "\n" \
	"  hosts_per_leaf: " h "\n  planes: " p "\n"
	expect_error(GEN("0", "4", "2", "1"), "t.yaml:3:", "spines 0 out of range 1..64");
	expect_error(GEN("65", "4", "2", "1"), "t.yaml:3:", "spines 65 out of range");
	expect_error(GEN("2", "0", "2", "1"), "t.yaml:4:", "leaves 0 out of range 1..256");
	expect_error(GEN("2", "257", "2", "1"), "t.yaml:4:", "leaves 257 out of range");
	expect_error(GEN("2", "4", "65", "1"), "t.yaml:5:", "hosts_per_leaf 65 out of range 0..64");
	expect_error(GEN("2", "4", "2", "0"), "t.yaml:6:", "planes 0 out of range 1..8");
	expect_error(GEN("2", "4", "2", "9"), "t.yaml:6:", "planes 9 out of range");
	expect_error(GEN("x", "4", "2", "1"), "t.yaml:3:", "must be an integer");
	expect_error(GEN("2", "4", "2", "1") "  link_rate: 0\n", "t.yaml:7:", "bad rate");
	expect_error(GEN("2", "4", "2", "1") "  delay: soon\n", "t.yaml:7:", "bad delay");
	expect_error(GEN("2", "4", "2", "1") "  port_type: tun\n", "t.yaml:7:", "bad port_type");
	expect_error(GEN("2", "4", "2", "1") "switches: []\n", "t.yaml:7:",
		     "'switches' cannot be combined with 'generate'");
	expect_error("fabric: g\nlinks: []\ngenerate:\n  spines: 2\n  leaves: 4\n"
		     "  hosts_per_leaf: 2\n", "t.yaml:2:",
		     "'links' cannot be combined");
	expect_error(GEN("2", "4", "2", "1") "hosts: []\n", "t.yaml:7:", "'hosts' cannot be");
	expect_error("fabric: g\ngenerate: 3\n", "t.yaml:2:", "generate must be a mapping");
#undef GEN
}

/* --- parsers --------------------------------------------------------------------- */

static void test_parse_rate(void **state)
{
	static const struct {
		const char *s;
		uint64_t bps;
	} ok[] = {
		{ "10G", 10000000000ull }, { "400Gbps", 400000000000ull },
		{ "100M", 100000000ull },  { "1K", 1000 },
		{ "1k", 1000 },            { "2.5G", 2500000000ull },
		{ "1T", 1000000000000ull }, { "1500bps", 1500 },
		{ "1500", 1500 },          { "0.1G", 100000000ull },
		{ "25Gbps", 25000000000ull },
	};
	static const char *const bad[] = {
		"", "G", "10X", "0", "0G", "-1G", "10 G", "1.G", "10Gb", "10gbps",
		"1.5bps", "100000000T", "1..5G", "1e9",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (topo_parse_rate(ok[i].s, &v) != 0 || v != ok[i].bps)
			fail_msg("'%s'", ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (topo_parse_rate(bad[i], &v) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

static void test_parse_delay(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} ok[] = {
		{ "1us", 1000 }, { "500ns", 500 }, { "2ms", 2000000 }, { "1s", 1000000000 },
		{ "0", 0 },      { "0ns", 0 },     { "1.5us", 1500 },  { "0us", 0 },
	};
	static const char *const bad[] = {
		"", "1", "1.5ns", "us", "1 us", "-1us", "1m", "1usec", "1h",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (topo_parse_delay(ok[i].s, &v) != 0 || v != ok[i].ns)
			fail_msg("'%s'", ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (topo_parse_delay(bad[i], &v) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

static void test_parse_prefix(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0/24", "x/24", "10.0.0.0/",
		"10.0.0.0/2a", "/24", "10.0.0.0/0024", "fd00::/-1", "",
	};
	static const char *const round[] = {
		"10.0.1.0/24", "fd00::/64", "fd00:0:0:1::/64", "0.0.0.0/0", "10.0.0.2/32",
		"fd00:0:1:2::/64",
	};
	struct topo_prefix p;
	char buf[64];

	assert_int_equal(topo_parse_prefix("10.0.1.0/24", &p), 0);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.len, 24);
	assert_memory_equal(p.addr, ((uint8_t[]){ 10, 0, 1, 0 }), 4);
	assert_int_equal(topo_parse_prefix("fd00:0:1::/48", &p), 0);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.len, 48);
	assert_memory_equal(p.addr, ((uint8_t[]){ 0xfd, 0, 0, 0, 0, 1, 0, 0 }), 8);
	/* the parser takes host bits; the validator rejects them on subnets */
	assert_int_equal(topo_parse_prefix("10.0.0.1/24", &p), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (topo_parse_prefix(bad[i], &p) == 0)
			fail_msg("'%s' accepted", bad[i]);
	for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
		assert_int_equal(topo_parse_prefix(round[i], &p), 0);
		topo_format_prefix(&p, buf, sizeof(buf));
		assert_string_equal(buf, round[i]);
	}
}

/* --- addressing ------------------------------------------------------------------- */

static void test_macs(void **state)
{
	uint8_t mac[6];

	topo_switch_port_mac(2, 3, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0x4c, 0x00, 0x02, 0x00, 0x03 }), 6);
	topo_switch_port_mac(0x1234, 0xff, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0x4c, 0x12, 0x34, 0x00, 0xff }), 6);
	topo_host_mac(5, 1, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0x48, 0x00, 0x05, 0x00, 0x01 }), 6);
	topo_host_mac(0x0102, 7, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0x48, 0x01, 0x02, 0x00, 0x07 }), 6);
}

static void check_addr(void (*fn)(const struct topo_prefix *, int, struct topo_prefix *),
		       const char *subnet, int port, const char *want)
{
	struct topo_prefix s, a;
	char buf[64];

	assert_int_equal(topo_parse_prefix(subnet, &s), 0);
	fn(&s, port, &a);
	topo_format_prefix(&a, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void gateway(const struct topo_prefix *s, int port, struct topo_prefix *a)
{
	topo_gateway(s, a);
}

static void test_gateway_and_hosts(void **state)
{
	check_addr(gateway, "10.0.1.0/24", 0, "10.0.1.1/32");
	check_addr(gateway, "fd00::/64", 0, "fd00::1/128");
	check_addr(gateway, "fd00:0:1:2::/64", 0, "fd00:0:1:2::1/128");
	check_addr(topo_host_address, "10.0.1.0/24", 0, "10.0.1.2/32");
	check_addr(topo_host_address, "10.0.1.0/24", 3, "10.0.1.5/32");
	/* carries into the next byte */
	check_addr(topo_host_address, "10.0.0.0/23", 300, "10.0.1.46/32");
	check_addr(topo_host_address, "fd00::/64", 0, "fd00::2/128");
	check_addr(topo_host_address, "fd00:0:0:1::/64", 255, "fd00:0:0:1::101/128");
}

/* `pipeline:` per switch: native (default) or p4; anything else names its line. */
#define P4_LEAF0(value)                                                                   \
	"fabric: t\nswitches:\n  - name: spine0\n    role: spine\n  - name: leaf0\n"         \
	"    role: leaf\n    pipeline: " value "\n    ipv4: 10.0.0.0/24\n  - name: leaf1\n" \
	"    role: leaf\n    ipv4: 10.0.1.0/24\n" HOSTS LINKS
static void test_pipeline_key(void **state)
{
	struct topology t;

	load_string(P4_LEAF0("p4"), &t);
	assert_int_equal(t.switches[0].pipeline, TOPO_PIPELINE_NATIVE);
	assert_int_equal(t.switches[1].pipeline, TOPO_PIPELINE_P4);
	assert_int_equal(t.switches[2].pipeline, TOPO_PIPELINE_NATIVE);
	topo_free(&t);
	load_string(P4_LEAF0("native"), &t);
	assert_int_equal(t.switches[1].pipeline, TOPO_PIPELINE_NATIVE);
	topo_free(&t);
	expect_error(P4_LEAF0("bmv2"), "t.yaml:7:", "bad pipeline 'bmv2' (native or p4)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_ok),
		cmocka_unit_test(test_pipeline_key),
		cmocka_unit_test(test_example_default),
		cmocka_unit_test(test_example_two_plane),
		cmocka_unit_test(test_example_oversubscribed),
		cmocka_unit_test(test_example_small_explicit),
		cmocka_unit_test(test_explicit_options),
		cmocka_unit_test(test_open_missing_file),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_unknown_keys),
		cmocka_unit_test(test_err_missing_keys),
		cmocka_unit_test(test_err_types),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_duplicate_names),
		cmocka_unit_test(test_err_role_plane),
		cmocka_unit_test(test_err_link_ends),
		cmocka_unit_test(test_err_port_reuse),
		cmocka_unit_test(test_err_host_links),
		cmocka_unit_test(test_err_switch_links),
		cmocka_unit_test(test_err_devargs),
		cmocka_unit_test(test_err_rates_delays),
		cmocka_unit_test(test_err_prefixes),
		cmocka_unit_test(test_err_subnets),
		cmocka_unit_test(test_three_tier_ok),
		cmocka_unit_test(test_err_three_tier_links),
		cmocka_unit_test(test_err_three_tier_switches),
		cmocka_unit_test(test_planes_joined),
		cmocka_unit_test(test_err_connectivity),
		cmocka_unit_test(test_err_no_switches),
		cmocka_unit_test(test_err_generator),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_parse_rate),
		cmocka_unit_test(test_parse_delay),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_macs),
		cmocka_unit_test(test_gateway_and_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
