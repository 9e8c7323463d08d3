/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `tm:` in the topology at its three levels: top-level (every switch), a
 * switch's (over it) and `ports:` inside a switch's (one port, over the
 * switch's). Each reaches its place in loomd's configuration; the explicit
 * form written by `topo expand` keeps them; a bad port, key or combination
 * names file and line.
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

/* line 9 is leaf1's tm:, lines 11-13 its ports: */
static const char *fabric_yaml =
	"fabric: tmfab\n"                                                        /* 1 */
	"tm: { queue_limit: 200KB }\n"                                           /* 2 */
	"switches:\n"                                                            /* 3 */
	"  - { name: spine0, role: spine }\n"                                    /* 4 */
	"  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"                   /* 5 */
	"  - name: leaf1\n"                                                      /* 6 */
	"    role: leaf\n"                                                       /* 7 */
	"    ipv4: 10.0.1.0/24\n"                                                /* 8 */
	"    tm:\n"                                                              /* 9 */
	"      ecn: dcqcn\n"                                                     /* 10 */
	"      ports:\n"                                                         /* 11 */
	"        0: { class: { 0: { queue_limit: 100KB } }, ecn: { k: 20KB } }\n" /* 12 */
	"        2: { enabled: false }\n"                                        /* 13 */
	"hosts: [ { name: h0 }, { name: h1 } ]\n"
	"links:\n"
	"  - { a: h0, b: leaf0:0 }\n"
	"  - { a: h1, b: leaf1:0 }\n"
	"  - { a: leaf0:2, b: spine0:0 }\n"
	"  - { a: leaf1:2, b: spine0:1 }\n";

static json_t *find(json_t *arr, const char *key, const char *name, json_int_t index)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		json_t *v = json_object_get(o, key);

		if (name ? strcmp(json_string_value(v), name) == 0 : json_integer_value(v) == index)
			return o;
	}
	fail_msg("no %s %s/%lld", key, name ? name : "", (long long)index);
	return NULL;
}

static const char *tm_value(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj, "tm"), key));
}

static void check_config(const struct topology *t)
{
	char err[512];
	json_t *cfg, *leaf1, *leaf0, *p;

	if (loomd_config_build(t, NULL, &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_string_equal(tm_value(cfg, "queue_limit"), "200KB");
	leaf1 = find(json_object_get(cfg, "switches"), "name", "leaf1", 0);
	assert_string_equal(tm_value(leaf1, "ecn"), "dcqcn");
	assert_int_equal(json_object_size(json_object_get(leaf1, "tm")), 1); /* the ports' stay on the ports */
	p = find(json_object_get(leaf1, "ports"), "index", NULL, 0);
	assert_int_equal(json_object_size(json_object_get(p, "tm")), 2);
	assert_string_equal(tm_value(p, "class.0.queue_limit"), "100KB");
	assert_string_equal(tm_value(p, "ecn.k"), "20KB");
	p = find(json_object_get(leaf1, "ports"), "index", NULL, 2);
	assert_string_equal(tm_value(p, "enabled"), "false");
	leaf0 = find(json_object_get(cfg, "switches"), "name", "leaf0", 0);
	assert_null(json_object_get(leaf0, "tm"));
	assert_null(json_object_get(find(json_object_get(leaf0, "ports"), "index", NULL, 0), "tm"));
	json_decref(cfg);
}

static void test_three_levels(void **state)
{
	struct topology t, t2;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	if (topo_load_string(fabric_yaml, "tm.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	check_config(&t);
	mem = open_memstream(&buf, &len);
	assert_int_equal(topo_write_explicit(&t, &workload_traffic, mem), 0);
	fclose(mem);
	if (topo_load_string(buf, "tm-expanded.yaml", &workload_traffic, &t2, err, sizeof(err)) < 0)
		fail_msg("%s\n%s", err, buf);
	check_config(&t2);
	free(buf);
	topo_free(&t);
	topo_free(&t2);
}

/* fabric_yaml with its line 12 (port 0's settings) replaced. */
static void expect_error(const char *line12, int line, const char *what)
{
	char yaml[2048], err[512], where[32];
	struct topology t;
	const char *at = strstr(fabric_yaml, "        0: {"), *end = strchr(at, '\n');

	snprintf(yaml, sizeof(yaml), "%.*s%s%s", (int)(at - fabric_yaml), fabric_yaml, line12, end);
	snprintf(where, sizeof(where), "bad.yaml:%d:", line);
	assert_int_equal(topo_load_string(yaml, "bad.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	if (!strstr(err, what) || !strstr(err, where))
		fail_msg("expected '%s' at %s, got: %s", what, where, err);
}

static void test_errors(void **state)
{
	struct topology t;
	char err[512];

	(void)state;
	expect_error("        x: { ecn: none }", 12, "'x' is not a port number 0..255");
	expect_error("        256: { ecn: none }", 12, "'256' is not a port number");
	expect_error("        1: { ecn: none }", 12, "leaf1 has no link on port 1");
	expect_error("        0: { ecn: stepp }", 12, "ecn");
	expect_error("        0: { qeue_limit: 1KB }", 12, "qeue_limit");
	expect_error("        0: step", 12, "expected a mapping of settings");
	expect_error("        0: {}", 12, "expected a mapping of settings");
	expect_error("        2: { ecn: none }", 13, "port 2 given twice (line 12)");
	/* a port's settings must make a whole with the switch's: xon below xoff */
	expect_error("        0: { pfc: { xon: 70KB } }", 12, "tm of leaf1 port 0");
	assert_int_equal(topo_load_string("fabric: x\ntm: { ports: { 0: { ecn: step } } }\n"
					  "generate: { spines: 2, leaves: 2, hosts_per_leaf: 1 }\n",
					  "top.yaml", &workload_traffic, &t, err, sizeof(err)), -1);
	if (!strstr(err, "top.yaml:2:") || !strstr(err, "only in a switch's tm"))
		fail_msg("got: %s", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_levels),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
