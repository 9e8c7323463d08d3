/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `load_balancing:` in the topology: the fabric's mode and tunables reach
 * every switch's loomd configuration; a switch's options override them key
 * by key (placement too); the explicit form written by `topo expand` keeps
 * them; bad modes (unknown, the reserved `cell`), table sizes, placements
 * and keys name file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compile/loomd_config.h"
#include "topo/topology.h"
#include "workload/workload.h"

static const char *explicit_two =
	"fabric: lb\n"
	"load_balancing: { mode: flowlet, idle_time: 100us, flowlet_table: 1024, placement: band }\n"
	"switches:\n"
	"  - { name: s0, role: spine }\n"
	"  - { name: s1, role: spine }\n"
	"  - name: l0\n"
	"    role: leaf\n"
	"    ipv4: 10.0.0.0/24\n"
	"    options: { load_balancing: { mode: spray, window: 10ms, placement: queue, groups: { 10.0.1.0/24: drill } } }\n"
	"  - { name: l1, role: leaf, ipv4: 10.0.1.0/24 }\n"
	"hosts: [ { name: h0 }, { name: h1 } ]\n"
	"links:\n"
	"  - { a: l0:0, b: h0 }\n"
	"  - { a: l1:0, b: h1 }\n"
	"  - { a: l0:1, b: s0:0 }\n"
	"  - { a: l0:2, b: s1:0 }\n"
	"  - { a: l1:1, b: s0:1 }\n"
	"  - { a: l1:2, b: s1:1 }\n";

static json_t *switch_lb(json_t *cfg, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(cfg, "switches"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return json_object_get(s, "load_balancing");
	fail_msg("no switch %s", name);
	return NULL;
}

/* The group mode names the group that the route to `prefix` uses. */
static void check_group_mode(json_t *cfg, const char *sw_name, const char *prefix, const char *mode)
{
	json_t *s = NULL, *r, *groups;
	size_t i;
	int g = -1;

	json_array_foreach(json_object_get(cfg, "switches"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), sw_name) == 0)
			break;
	json_array_foreach(json_object_get(s, "routes"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "prefix")), prefix) == 0)
			g = (int)json_integer_value(json_object_get(r, "group"));
	assert_true(g >= 0);
	assert_int_equal(json_array_size(json_array_get(json_object_get(s, "groups"), (size_t)g)), 2);
	groups = json_object_get(json_object_get(s, "load_balancing"), "groups");
	assert_int_equal(json_array_size(groups), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(groups, 0), "group")), g);
	assert_string_equal(json_string_value(json_object_get(json_array_get(groups, 0), "mode")), mode);
}

static void check_config(const struct topology *t)
{
	char err[512];
	json_t *cfg, *lb;

	assert_int_equal(loomd_config_build(t, NULL, &cfg, err, sizeof(err)), 0);
	lb = switch_lb(cfg, "l0");
	assert_string_equal(json_string_value(json_object_get(lb, "mode")), "spray");
	assert_int_equal(json_integer_value(json_object_get(lb, "window_ns")), 10000000);
	assert_int_equal(json_integer_value(json_object_get(lb, "idle_time_ns")), 100000); /* the fabric's */
	assert_int_equal(json_integer_value(json_object_get(lb, "flowlet_table")), 1024);
	assert_string_equal(json_string_value(json_object_get(lb, "placement")), "queue"); /* its own */
	check_group_mode(cfg, "l0", "10.0.1.0/24", "drill");
	lb = switch_lb(cfg, "l1");
	assert_string_equal(json_string_value(json_object_get(lb, "mode")), "flowlet");
	assert_null(json_object_get(lb, "window_ns"));
	assert_null(json_object_get(lb, "groups"));
	assert_string_equal(json_string_value(json_object_get(lb, "placement")), "band"); /* the fabric's */
	json_decref(cfg);
}

static void test_fabric_and_switch_modes(void **state)
{
	struct topology t, t2;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	if (topo_load_string(explicit_two, "lb.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	check_config(&t);
	/* the explicit form keeps both */
	mem = open_memstream(&buf, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, mem), 0);
	fclose(mem);
	if (topo_load_string(buf, "lb-expanded.yaml", &workload_traffic, &t2, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, buf);
	check_config(&t2);
	free(buf);
	topo_free(&t);
	topo_free(&t2);
}

static void test_default_is_absent(void **state)
{
	struct topology t;
	char err[512];
	json_t *cfg;

	(void)state;
	assert_int_equal(topo_load_string("fabric: x\ngenerate: { spines: 2, leaves: 2, hosts_per_leaf: 1 }\n", "x.yaml",
					  &workload_traffic, &t, err, sizeof(err)), 0);
	assert_int_equal(loomd_config_build(&t, NULL, &cfg, err, sizeof(err)), 0);
	assert_null(switch_lb(cfg, "leaf0")); /* loomd's default: ecmp */
	json_decref(cfg);
	topo_free(&t);
	assert_int_equal(topo_load_string("fabric: x\nload_balancing: drill\n"
					  "generate: { spines: 2, leaves: 2, hosts_per_leaf: 1 }\n", "x.yaml",
					  &workload_traffic, &t, err, sizeof(err)), 0);
	assert_int_equal(loomd_config_build(&t, NULL, &cfg, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(switch_lb(cfg, "spine1"), "mode")), "drill");
	assert_null(json_object_get(switch_lb(cfg, "spine1"), "placement")); /* loomd's default: queue */
	json_decref(cfg);
	topo_free(&t);
}

static void expect_error(const char *lb_line, const char *what)
{
	char yaml[512], err[512];
	struct topology t;

	snprintf(yaml, sizeof(yaml), "fabric: x\n%s\ngenerate: { spines: 2, leaves: 2, hosts_per_leaf: 1 }\n", lb_line);
	assert_int_equal(topo_load_string(yaml, "bad.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	if (!strstr(err, what) || !strstr(err, "bad.yaml:2:"))
		fail_msg("expected '%s' at bad.yaml:2, got: %s", what, err);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("load_balancing: cell", "reserved");
	expect_error("load_balancing: sprey", "unknown load-balancing mode 'sprey'");
	expect_error("load_balancing: { mode: flowlet, flowlet_table: 500 }", "power of two");
	expect_error("load_balancing: { mode: flowlet, idle_tme: 5us }", "idle_tme");
	expect_error("load_balancing: { idle_time: 0us }", "idle_time must be > 0");
	expect_error("load_balancing: { idle_time: rtt/0 }", "not rtt/N with N 1 .. 64");
	expect_error("load_balancing: { idle_time: rtt/65 }", "not rtt/N with N 1 .. 64");
	expect_error("load_balancing: { idle_time: rtt2 }", "not a delay, rtt or rtt/N");
	expect_error("load_balancing: { sample_interval: 10ns }", ">= 1us");
	expect_error("load_balancing: { mode: flowlet, placement: bands }", "placement: 'bands' is not queue");
	expect_error("load_balancing: { mode: flowlet, placement: [ band ] }", "placement");
	expect_error("load_balancing: { groups: { 10.0.1.0/24: spray } }", "goes in a switch's options");
}

static void test_group_of_unknown_route(void **state)
{
	struct topology t;
	char err[512], yaml[2048];
	json_t *cfg;

	(void)state;
	snprintf(yaml, sizeof(yaml), "%s", explicit_two);
	/* a prefix leaf0 has no route for */
	char *at = strstr(yaml, "10.0.1.0/24: drill");
	assert_non_null(at);
	memcpy(at, "10.0.9.0/24", 11);
	assert_int_equal(topo_load_string(yaml, "lb.yaml", &workload_traffic, &t, err, sizeof(err)), 0);
	assert_int_equal(loomd_config_build(&t, NULL, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, "lb.yaml:9:") || !strstr(err, "no route 10.0.9.0/24"))
		fail_msg("got: %s", err);
	topo_free(&t);
	/* a bad mode in groups */
	snprintf(yaml, sizeof(yaml), "%s", explicit_two);
	at = strstr(yaml, "drill }");
	memcpy(at, "cell  ", 6);
	assert_int_equal(topo_load_string(yaml, "lb.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	if (!strstr(err, "lb.yaml:9:") || !strstr(err, "reserved"))
		fail_msg("got: %s", err);
}

/* idle_time: rtt/N resolves to the fabric's base round trip over N: a
 * two-tier fabric of 100G links of 1 us and MTU 4096 (issue 23's bench):
 * 4 links x (2 x 1000 ns + 4110 bytes at 100G, 328.8 -> 329 ns) = 9316 ns;
 * rtt/2 = 4658 ns; written back as written. */
static void test_idle_time_from_rtt(void **state)
{
	const char *text = "fabric: x\nload_balancing: { mode: flowlet, idle_time: rtt/2 }\n"
			   "generate: { spines: 2, leaves: 2, hosts_per_leaf: 1, link_rate: 100G, uplink_rate: 100G,"
			   " delay: 1us, mtu: 4096 }\n";
	struct topology t, t2;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *mem;
	json_t *cfg;

	(void)state;
	if (topo_load_string(text, "x.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(topo_base_rtt_ns(&t), 9316);
	assert_int_equal(loomd_config_build(&t, NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(switch_lb(cfg, "leaf0"), "idle_time_ns")), 4658);
	json_decref(cfg);
	mem = open_memstream(&buf, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, mem), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "idle_time: rtt/2"));
	if (topo_load_string(buf, "x-expanded.yaml", &workload_traffic, &t2, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, buf);
	assert_int_equal(loomd_config_build(&t2, NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(switch_lb(cfg, "leaf0"), "idle_time_ns")), 4658);
	json_decref(cfg);
	free(buf);
	topo_free(&t);
	topo_free(&t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fabric_and_switch_modes),
		cmocka_unit_test(test_default_is_absent),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_group_of_unknown_route),
		cmocka_unit_test(test_idle_time_from_rtt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
