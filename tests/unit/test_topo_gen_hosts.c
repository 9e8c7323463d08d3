/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts in the topology: one interface in each plane. A fabric
 * of several planes with generator hosts runs in virtual time only, and a
 * host with fewer links than planes is refused, each with the line that
 * made the host a generator host (explicit or generated form); `nic:`
 * and frame sizes up to a 9000-byte MTU.
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
	char err[512], yaml[768];

	(void)state;
	expect_error(two_planes, "gen.yaml:7:", "generator host h0 in a fabric of 2 planes");
	expect_error(two_planes, "gen.yaml:7:", "virtual time only");
	/* in virtual time it loads, with a nic: */
	snprintf(yaml, sizeof(yaml), "clock: virtual\nduration: 1ms\nnic: { plane_spread: weighted }\n%s", two_planes);
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(t.n_planes, 2);
	assert_string_equal(t.nic.plane_spread, "weighted");
	topo_free(&t);
	snprintf(yaml, sizeof(yaml), "clock: virtual\nduration: 1ms\nnic: { plane_spread: sideways }\n%s", two_planes);
	expect_error(yaml, "gen.yaml:3:", "plane_spread 'sideways' (flow, flowlet, packet or weighted)");
	snprintf(yaml, sizeof(yaml), "clock: virtual\nduration: 1ms\nnic: { plane_spread: packet, flowlet_gap: 10us }\n%s",
		 two_planes);
	expect_error(yaml, "gen.yaml:3:", "flowlet_gap goes with plane_spread: flowlet");
	/* one plane loads, without nic: */
	snprintf(yaml, sizeof(yaml), "%s", two_planes);
	memcpy(strstr(yaml, "planes: 2"), "planes: 1", 9);
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(t.hosts[0].port_type, TOPO_PORT_GENERATOR);
	topo_free(&t);
	snprintf(yaml, sizeof(yaml), "clock: virtual\nduration: 1ms\nnic: { plane_spread: packet }\n%s", two_planes);
	memcpy(strstr(yaml, "planes: 2"), "planes: 1", 9);
	expect_error(yaml, "gen.yaml:3:", "this fabric has 1 plane");
}

static void test_explicit_planes(void **state)
{
	/* a plane count mismatch: each generator host has one link, in
	 * different planes, in a fabric of two: h0 could not reach h1 */
	const char *yaml = "fabric: g\n"
			   "clock: virtual\n"
			   "duration: 1ms\n"
			   "switches:\n"
			   "  - { name: s0, role: spine, plane: 0 }\n"
			   "  - { name: s1, role: spine, plane: 1 }\n"
			   "  - { name: l0, role: leaf, plane: 0, ipv4: 10.0.0.0/24 }\n"
			   "  - { name: l1, role: leaf, plane: 1, ipv4: 10.1.0.0/24 }\n"
			   "hosts:\n"
			   "  - { name: h0, port_type: generator }\n"
			   "  - { name: h1, port_type: generator }\n"
			   "links:\n"
			   "  - { a: h0, b: l0:0 }\n"
			   "  - { a: h1:eth1, b: l1:0 }\n"
			   "  - { a: l0:1, b: s0:0 }\n"
			   "  - { a: l1:1, b: s1:0 }\n";

	(void)state;
	expect_error(yaml, "gen.yaml:10:", "generator host h0 has 1 link in a fabric of 2 planes");
	expect_error(yaml, "gen.yaml:10:", "one interface in each plane");
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
	/* jumbo: up to a 9000-byte MTU's frame (9014), and no MTU above 9000 */
	snprintf(yaml, sizeof(yaml), base, ", mtu: 9000", "9014");
	if (topo_load_string(yaml, "gen.yaml", &workload_traffic, &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	topo_free(&t);
	snprintf(yaml, sizeof(yaml), base, ", mtu: 9000", "9015");
	expect_error(yaml, "gen.yaml:4:", "packet 9015: generator hosts send frames of 74..9014 bytes");
	snprintf(yaml, sizeof(yaml), base, ", mtu: 9001", "4096");
	expect_error(yaml, "gen.yaml:2:", "9001");
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
