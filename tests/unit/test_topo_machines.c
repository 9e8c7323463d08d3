/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `machines:` (control/topo/topo_machines.c, docs/MULTI_MACHINE.md): where
 * switches and hosts run, the generator's placement rule, the MTU of links
 * that cross machines over VXLAN, their loomd ports and VXLAN commands,
 * and every bad input as "file:LINE: problem".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile/loomd_config.h"
#include "compile/vxlan_link.h"
#include "topo/topology.h"
#include "workload/workload.h"
#include "topo_fixtures.h"

#ifndef LOOM_SOURCE_ROOT
#define LOOM_SOURCE_ROOT "."
#endif

/* Line numbers matter: the error cases point at them. */
#define MACHINES                                                        \
	"fabric: mm\n"                                          /* 1 */ \
	"machines:\n"                                           /* 2 */ \
	"  - {name: m0, underlay: 192.168.9.1, mtu: 1550}\n"    /* 3 */ \
	"  - {name: m1, underlay: 192.168.9.2, interface: eth1}\n" /* 4 */
#define SWITCHES(M_SPINE, M_LEAF1)                                      \
	"switches:\n"                                           /* 5 */ \
	"  - {name: spine0, role: spine, machine: m0}\n"        /* 6 */ \
	"  - {name: leaf0, role: leaf, machine: m0, ipv4: 10.0.0.0/24}\n" /* 7 */ \
	"  - {name: leaf1, role: leaf, machine: " M_LEAF1 ", ipv4: 10.0.1.0/24}\n" /* 8 */
#define HOSTS                                                           \
	"hosts:\n"                                              /* 9 */ \
	"  - {name: h0}\n"                                      /* 10 */ \
	"  - {name: h1}\n"                                      /* 11 */
#define LINKS(MTU)                                                      \
	"links:\n"                                              /* 12 */ \
	"  - {a: h0, b: leaf0:0}\n"                             /* 13 */ \
	"  - {a: h1, b: leaf1:0}\n"                             /* 14 */ \
	"  - {a: leaf0:1, b: spine0:0}\n"                       /* 15 */ \
	"  - {a: leaf1:1, b: spine0:1" MTU "}\n"                /* 16 */
#define GOOD MACHINES SWITCHES("m0", "m1") HOSTS LINKS(", mtu: 1450")

static void expect_error(const char *yaml, const char *where, const char *keyword)
{
	struct topology t;

	load_string_refused(yaml, where, keyword, &t);
	assert_null(t.machines);
	assert_int_equal(t.n_machines, 0);
}

static void test_placement(void **state)
{
	struct topology t;

	(void)state;
	load_string(GOOD, &t);
	assert_int_equal(t.n_machines, 2);
	assert_string_equal(t.machines[1].name, "m1");
	assert_int_equal(t.machines[0].mtu, 1550);
	assert_int_equal(t.machines[1].mtu, 1500); /* the default */
	assert_string_equal(t.machines[1].interface, "eth1");
	assert_int_equal(t.machines[0].underlay.family, 4);
	assert_int_equal(t.machines[1].underlay.addr[3], 2);
	assert_int_equal(t.switches[topo_switch_index(&t, "leaf1")].machine, 1);
	/* hosts run on their leaf's machine */
	assert_int_equal(t.hosts[topo_host_index(&t, "h0")].machine, 0);
	assert_int_equal(t.hosts[topo_host_index(&t, "h1")].machine, 1);
	assert_false(topo_link_crosses_machines(&t, &t.links[2]));
	assert_true(topo_link_crosses_machines(&t, &t.links[3]));
	assert_false(topo_link_crosses_machines(&t, &t.links[1])); /* a host link never */
	assert_int_equal(topo_vxlan_overhead(&t.machines[0]), 50);
	topo_free(&t);

	/* without machines: nothing is placed, nothing crosses */
	load_string("fabric: one\nswitches:\n  - {name: s, role: spine}\n  - {name: l, role: leaf, ipv4: 10.0.0.0/24}\n"
		"links:\n  - {a: l:0, b: s:0}\n", &t);
	assert_int_equal(t.n_machines, 0);
	assert_int_equal(t.switches[0].machine, -1);
	assert_false(topo_link_crosses_machines(&t, &t.links[0]));
	topo_free(&t);
}

/* A cross-machine link's port in loomd is its VXLAN interface; the other
 * machine's switches are not in this machine's configuration. */
static void test_machine_config(void **state)
{
	struct topology t;
	char err[512], *text = NULL;
	size_t len = 0;
	bool local[3] = {false, false, true}; /* m1: leaf1 */
	FILE *out;

	(void)state;
	load_string(GOOD, &t);
	out = open_memstream(&text, &len);
	assert_int_equal(loomd_config_write(&t, local, out, err, sizeof(err)), 0);
	fclose(out);
	assert_non_null(strstr(text, "\"net_af_packet_x3,iface=lmx3,framecnt=2048\""));
	assert_null(strstr(text, "spine0\","));
	free(text);

	/* m1's VXLAN commands: the fabric's VNI of the link (1 + (FNV-1a("mm") +
	 * 3) mod (2^24 - 1), computed apart), unicast to m0, on m1's
	 * interface, whose GRO is turned off first */
	text = NULL;
	out = open_memstream(&text, &len);
	vxlan_links_script_write(&t, 1, out);
	fclose(out);
	assert_int_equal(vxlan_link_vni(&t, 3), 3022451);
	assert_int_equal(vxlan_link_vni(&t, 4), 3022452);
	/* another fabric between the same machines: other VNIs for the same links */
	{
		struct topology other = t;

		snprintf(other.name, sizeof(other.name), "mm2");
		for (int i = 0; i < t.n_links; i++)
			for (int j = 0; j < t.n_links; j++)
				assert_int_not_equal(vxlan_link_vni(&other, i), vxlan_link_vni(&t, j));
	}
	assert_non_null(strstr(text, "ethtool -K eth1 gro off"));
	assert_true(strstr(text, "ethtool -K eth1 gro off") < strstr(text, "ip link add lmx3"));
	assert_non_null(strstr(text, "ip link add lmx3 type vxlan id 3022451 local 192.168.9.2 remote 192.168.9.1 dstport "
				     "4789 nolearning dev eth1\n"));
	assert_non_null(strstr(text, "ip link set lmx3 mtu 1450\n"));
	assert_null(strstr(text, "lmx2")); /* leaf0 - spine0 stays on m0 */
	free(text);
	topo_free(&t);
}

/* One placement vocabulary (topo_partition.c): MPI ranks follow machines,
 * implicitly or by `partition: {by: machine}`, which a written topology
 * keeps; a listed group on two machines is refused at its line. */
static void test_partition_by_machine(void **state)
{
	struct topology t, back;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_string(GOOD, &t); /* machines: alone */
	assert_int_equal(t.n_partition_groups, 2);
	assert_int_equal(t.partition_from, TOPO_PARTITION_MACHINES);
	assert_int_equal(t.partition_group[topo_switch_index(&t, "spine0")], 0);
	assert_int_equal(t.partition_group[topo_switch_index(&t, "leaf1")], 1);
	topo_free(&t);
	load_string(GOOD "partition: {by: machine}\n", &t);
	assert_int_equal(t.partition_from, TOPO_PARTITION_BY_MACHINE);
	out = open_memstream(&text, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, out), 0);
	fclose(out);
	assert_non_null(strstr(text, "partition: { by: machine }\n"));
	load_string(text, &back);
	assert_int_equal(back.partition_from, TOPO_PARTITION_BY_MACHINE);
	assert_memory_equal(back.partition_group, t.partition_group, (size_t)t.n_switches * sizeof(int));
	topo_free(&back);
	topo_free(&t);
	free(text);
	expect_error(GOOD "partition:\n  - [spine0, leaf1]\n  - [leaf0]\n", "t.yaml:18:",
		     "group 1 holds spine0 (machine m0) and leaf1 (machine m1)");
	expect_error(GOOD "partition: {by: plane}\n", "t.yaml:17:", "by 'plane': 'machine'");
	expect_error("fabric: one\nswitches:\n  - {name: s, role: spine}\npartition: {by: machine}\n", "t.yaml:4:",
		     "no 'machines:' section");
}

static void test_errors(void **state)
{
	(void)state;
	/* a switch on a machine the file does not have */
	expect_error(MACHINES SWITCHES("m0", "m9") HOSTS LINKS(""), "t.yaml:8:", "unknown machine 'm9' (machines: m0, m1)");
	/* machine: without machines: */
	expect_error("fabric: t\nswitches:\n  - {name: s, role: spine, machine: m0}\n", "t.yaml:3:",
		     "no 'machines:' section");
	/* with machines:, every switch says where it runs */
	expect_error(MACHINES "switches:\n  - {name: spine0, role: spine}\n", "t.yaml:6:", "spine0 has no 'machine:'");
	/* the link's MTU 1500 + 50 does not fit m1's 1500: refused with the figures */
	expect_error(MACHINES SWITCHES("m0", "m1") HOSTS LINKS(""), "t.yaml:16:",
		     "its MTU 1500 + 50 bytes of VXLAN = 1550 does not fit machine m1's underlay MTU 1500 "
		     "(give the link 'mtu: 1450' or less");
	/* over IPv6 VXLAN takes 70 */
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: \"fd00::1\", mtu: 1500}\n"
		     "  - {name: b, underlay: \"fd00::2\", mtu: 1500}\n"
		     "switches:\n  - {name: s, role: spine, machine: a}\n"
		     "  - {name: l, role: leaf, machine: b, ipv4: 10.0.0.0/24}\n"
		     "links:\n  - {a: l:0, b: s:0, mtu: 1450}\n", "t.yaml:9:", "1450 + 70 bytes of VXLAN = 1520");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1}\n  - {name: b, underlay: \"fd00::2\"}\n"
		     "switches:\n  - {name: s, role: spine, machine: a}\n"
		     "  - {name: l, role: leaf, machine: b, ipv4: 10.0.0.0/24}\n"
		     "links:\n  - {a: l:0, b: s:0, mtu: 1200}\n", "t.yaml:9:", "one address family");
	/* a host's machine: must be its leaf's */
	expect_error(MACHINES SWITCHES("m0", "m1") "hosts:\n  - {name: h0, machine: m1}\n  - {name: h1}\n"
		     LINKS(", mtu: 1450"), "t.yaml:10:", "host h0: machine m1, but its leaf leaf0 runs on machine m0");
	/* cross-machine links get their port from loomctl */
	expect_error(MACHINES SWITCHES("m0", "m1") HOSTS "links:\n  - {a: h0, b: leaf0:0}\n  - {a: h1, b: leaf1:0}\n"
		     "  - {a: leaf0:1, b: spine0:0}\n"
		     "  - {a: leaf1:1, b: spine0:1, mtu: 1450, devargs_a: \"net_null0\", devargs_b: \"net_null1\"}\n",
		     "t.yaml:16:", "leave out devargs_a/devargs_b");
	/* the machines themselves */
	expect_error("fabric: t\nmachines: []\n", "t.yaml:2:", "'machines:' is empty");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.300}\n", "t.yaml:3:",
		     "underlay '10.0.0.300' is not an IPv4 or IPv6 address");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1}\n  - {name: a, underlay: 10.0.0.2}\n",
		     "t.yaml:4:", "duplicate machine 'a' (first at line 3)");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1}\n  - {name: b, underlay: 10.0.0.1}\n",
		     "t.yaml:4:", "machine b has the underlay address of machine a");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1, interface: \"eth0;reboot\"}\n",
		     "t.yaml:3:", "bad interface 'eth0;reboot'");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1, mtu: 576}\n", "t.yaml:3:", "576");
	expect_error("fabric: t\nmachines:\n  - {name: a, underlay: 10.0.0.1, port: 1}\n", "t.yaml:3:", "port");
	expect_error("fabric: t\nmachines:\n  - {name: a}\n", "t.yaml:3:", "underlay");
}

/* generate: machines_by pod puts pod i on machine i, the super-spines on the
 * first; by plane, a host with a leg in each plane cannot be split. */
#define GEN_MACHINES                                                    \
	"fabric: g\n"                                                   \
	"machines:\n"                                                   \
	"  - {name: a, underlay: 10.9.0.1, mtu: 9000}\n"                \
	"  - {name: b, underlay: 10.9.0.2, mtu: 9000}\n"
static void test_generated(void **state)
{
	struct topology t;
	char *text = NULL;
	size_t len = 0;
	char err[512];
	struct topology back;
	FILE *out;

	(void)state;
	load_string(GEN_MACHINES "generate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  pods: 2\n  superspines: 1\n"
		"  machines_by: pod\n", &t);
	for (int i = 0; i < t.n_switches; i++)
		assert_int_equal(t.switches[i].machine, t.switches[i].role == TOPO_SUPERSPINE ? 0 : t.switches[i].pod);
	for (int h = 0; h < t.n_hosts; h++)
		assert_int_equal(t.hosts[h].machine, h / 2); /* two leaves of one host each per pod */
	/* the explicit form keeps the placement */
	out = open_memstream(&text, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, out), 0);
	fclose(out);
	if (topo_load_string(text, "x.yaml", &workload_traffic, &back, err, sizeof(err)) != 0)
		fail_msg("%s\n%s", err, text);
	assert_int_equal(back.n_machines, 2);
	assert_int_equal(back.machines[1].mtu, 9000);
	for (int i = 0; i < t.n_switches; i++)
		assert_int_equal(back.switches[i].machine, t.switches[i].machine);
	topo_free(&back);
	free(text);
	topo_free(&t);

	expect_error(GEN_MACHINES "generate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n  planes: 2\n"
		     "  machines_by: plane\n", "t.yaml:", "a host's interfaces are veths, on one machine");
	expect_error(GEN_MACHINES "generate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n  pods: 1\n"
		     "  machines_by: rack\n", "t.yaml:10:", "machines_by 'rack': pod or plane");
	expect_error(GEN_MACHINES "generate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n", "t.yaml:",
		     "no 'machines_by: pod|plane'");
	expect_error("fabric: g\ngenerate:\n  spines: 1\n  leaves: 1\n  hosts_per_leaf: 1\n  machines_by: pod\n",
		     "t.yaml:6:", "no 'machines:' section");
	expect_error(GEN_MACHINES "generate:\n  spines: 1\n  leaves: 2\n  hosts_per_leaf: 1\n  pods: 3\n"
		     "  superspines: 1\n  machines_by: pod\n", "t.yaml:11:", "3 pods, 2 machines");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_machine_config),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_partition_by_machine),
		cmocka_unit_test(test_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
