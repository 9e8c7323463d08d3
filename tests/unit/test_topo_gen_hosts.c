/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts in the topology: they have one IPv4 interface, so a
 * fabric of several planes with generator hosts is refused at load, with
 * the line that made the host a generator host (explicit or generated
 * form); one plane loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "topo/topology.h"
#include "workload/workload.h"

static void expect_error(const char *yaml, const char *where, const char *what)
{
	struct topology t;
	char err[512];

	assert_int_equal(topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	if (!strstr(err, where) || !strstr(err, what))
		fail_msg("expected '%s' at %s, got: %s", what, where, err);
}

static void test_generated_planes(void **state)
{
	const char *two_planes = "fabric: g\n"
				 "generate:\n"
				 "  planes: 2\n"
				 "  spines: 1\n"
				 "  leaves: 2\n"
				 "  hosts_per_leaf: 1\n"
				 "  port_type: generator\n";
	struct topology t;
	char err[512], yaml[512];

	(void)state;
	expect_error(two_planes, "gen.yaml:7:", "generator host h0 in a fabric of 2 planes");
	expect_error(two_planes, "gen.yaml:7:", "one IPv4 interface");
	/* the same in virtual time: the same message */
	snprintf(yaml, sizeof(yaml), "clock: virtual\nduration: 1ms\n%s", two_planes);
	expect_error(yaml, "gen.yaml:9:", "fabric of 2 planes");
	/* one plane loads */
	snprintf(yaml, sizeof(yaml), "%s", two_planes);
	memcpy(strstr(yaml, "planes: 2"), "planes: 1", 9);
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(t.hosts[0].port_type, TOPO_PORT_GENERATOR);
	topo_free(&t);
}

static void test_explicit_planes(void **state)
{
	/* each generator host has one link, but in different planes: h0 could
	 * not reach h1 and h1 would send from eth1 */
	const char *yaml = "fabric: g\n"
			   "switches:\n"
			   "  - { name: s0, role: spine, plane: 0 }\n"
			   "  - { name: s1, role: spine, plane: 1 }\n"
			   "  - { name: l0, role: leaf, plane: 0, ipv4: 10.0.0.0/24 }\n"
			   "  - { name: l1, role: leaf, plane: 1, ipv4: 10.1.0.0/24 }\n"
			   "hosts:\n"
			   "  - { name: h0 }\n"
			   "  - { name: h1, port_type: generator }\n"
			   "links:\n"
			   "  - { a: h0, b: l0:0 }\n"
			   "  - { a: h1:eth1, b: l1:0 }\n"
			   "  - { a: l0:1, b: s0:0 }\n"
			   "  - { a: l1:1, b: s1:0 }\n";

	(void)state;
	expect_error(yaml, "gen.yaml:9:", "generator host h1 in a fabric of 2 planes");
}

/* A flow's frames must fit its hosts' links' MTU: the leaf would drop
 * them (mtu_exceeded); a larger MTU lets them through. */
static void test_packet_within_mtu(void **state)
{
	const char *base = "fabric: g\n"
			   "generate: { spines: 1, leaves: 2, hosts_per_leaf: 1, port_type: generator%s }\n"
			   "traffic:\n"
			   "  - { src: h0, dst: h1, rate: 1M, packet: %s }\n";
	char yaml[512];
	struct topology t;
	char err[512];

	(void)state;
	snprintf(yaml, sizeof(yaml), base, "", "1515");
	expect_error(yaml, "gen.yaml:4:", "packet 1515: above the mtu 1500 of host h0's link (frames of at most 1514)");
	snprintf(yaml, sizeof(yaml), base, ", mtu: 1000", "1200");
	expect_error(yaml, "gen.yaml:4:", "above the mtu 1000");
	snprintf(yaml, sizeof(yaml), base, ", mtu: 2000", "2000");
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	topo_free(&t);
	snprintf(yaml, sizeof(yaml), base, "", "1514");
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_planes),
		cmocka_unit_test(test_explicit_planes),
		cmocka_unit_test(test_packet_within_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
