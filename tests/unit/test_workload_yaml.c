/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workload files against the default fabric (8 hosts, 2 per leaf):
 *  - each pattern yields its flows (counts, bytes, host names resolved,
 *    defaults and per-pattern overrides, collective group ids, chained
 *    starts), and the shipped example loads;
 *  - the seed decides the list; the CSV has one line per flow;
 *  - bad files name the line and the problem.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "topo_fixtures.h"
#include "workload/workload.h"

static struct topology topo;

static int setup(void **state)
{
	(void)state;
	load_file("default.yaml", &topo);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	topo_free(&topo);
	return 0;
}

static void load_ok(const char *yaml, struct workload *wl)
{
	char err[512];

	if (workload_load_string(yaml, "w.yaml", ".", &topo, wl, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void test_patterns(void **state)
{
	static const char yaml[] =
		"workload: t\n"
		"seed: 5\n"
		"defaults: { transport: rocev2, ecn: true, packet: 1500, rate: 5G, dscp: 26 }\n"
		"patterns:\n"
		"  - { pattern: permutation, bytes: 1M }\n"               /* 8 flows */
		"  - { pattern: all_to_all, bytes: 64K, ecn: false }\n"   /* 56 */
		"  - { pattern: incast, to: h3, senders: 5, bytes: 1MiB, start: 2ms }\n" /* 5 */
		"  - { pattern: all_reduce, bytes: 8M, hosts: [h0, h2, h4, h6] }\n" /* 6 phases x 4 */
		"  - { pattern: all_gather, bytes: 8M }\n"                /* 7 phases x 8 */
		"  - { pattern: broadcast, from: h1, bytes: 100K, entropy: per_packet }\n"; /* 7 */
	struct workload wl;
	size_t i = 0;

	(void)state;
	load_ok(yaml, &wl);
	assert_string_equal(wl.name, "t");
	assert_int_equal(wl.seed, 5);
	assert_int_equal(wl.flows.n, 8 + 56 + 5 + 24 + 56 + 7);
	for (; i < 8; i++) {
		const struct loom_flow_spec *f = &wl.flows.v[i];
		assert_int_equal(f->bytes, 1000000);
		assert_int_equal(f->transport, LOOM_FLOW_ROCEV2);
		assert_int_equal(f->ecn_capable, 1);
		assert_int_equal(f->rate_bps, 5000000000ull);
		assert_int_equal(f->pkt_bytes, 1500);
		assert_int_equal(f->dscp, 26);
		assert_int_not_equal(f->src_host / 2, f->dst_host / 2); /* 2 hosts per leaf */
	}
	for (; i < 64; i++) {
		assert_int_equal(wl.flows.v[i].bytes, 64000);
		assert_int_equal(wl.flows.v[i].ecn_capable, 0); /* overridden */
		assert_int_equal(wl.flows.v[i].transport, LOOM_FLOW_ROCEV2); /* kept */
	}
	for (; i < 69; i++) {
		assert_int_equal(wl.flows.v[i].dst_host, 3);
		assert_int_equal(wl.flows.v[i].bytes, 1048576);
		assert_int_equal(wl.flows.v[i].start, 2000000);
	}
	for (; i < 93; i++) {
		const struct loom_flow_spec *f = &wl.flows.v[i];
		uint32_t phase = (uint32_t)(i - 69) / 4;
		assert_int_equal(f->group, LOOM_WL_GROUP(1, phase));
		assert_int_equal(f->bytes, 2000000);
		assert_true(f->src_host % 2 == 0 && f->dst_host == (f->src_host + 2) % 8);
		assert_true(phase == 0 ? f->start == 0 : f->start == LOOM_WL_START_CHAINED);
	}
	for (; i < 149; i++) {
		assert_int_equal(LOOM_WL_GROUP_COLLECTIVE(wl.flows.v[i].group), 2);
		assert_int_equal(wl.flows.v[i].bytes, 1000000);
		assert_int_equal(wl.flows.v[i].dst_host, (wl.flows.v[i].src_host + 1) % 8);
	}
	for (; i < 156; i++) {
		assert_int_equal(wl.flows.v[i].src_host, 1);
		assert_int_equal(wl.flows.v[i].group, LOOM_WL_GROUP(3, 0));
		assert_int_equal(wl.flows.v[i].entropy, LOOM_FLOW_ENTROPY_PER_PACKET);
	}
	workload_free(&wl);
}

static void test_example_and_csv(void **state)
{
	char path[512], err[512], *buf = NULL;
	size_t len = 0, lines = 0;
	struct workload a, b;
	FILE *out;

	(void)state;
	snprintf(path, sizeof(path), "%s/workloads/examples/mixed.yaml", LOOM_SOURCE_ROOT);
	if (workload_load(path, &topo, &a, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	if (workload_load(path, &topo, &b, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(a.flows.n, b.flows.n);
	assert_memory_equal(a.flows.v, b.flows.v, a.flows.n * sizeof(*a.flows.v));
	out = open_memstream(&buf, &len);
	workload_write_csv(&a, &topo, out);
	fclose(out);
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, a.flows.n + 1);
	assert_non_null(strstr(buf, "\n0,h"));
	assert_non_null(strstr(buf, ",chained,"));
	free(buf);
	workload_free(&a);
	workload_free(&b);
}

static void expect_error(const char *yaml, const char *msg)
{
	struct workload wl;
	char err[512];

	assert_int_equal(workload_load_string(yaml, "w.yaml", ".", &topo, &wl, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("expected '%s' in '%s'", msg, err);
}

/* The form a topology's `traffic:` uses for generator hosts: incast from
 * named senders, in their order, and flows without `bytes` (streams that
 * last the run: bytes 0). */
static void test_named_senders_and_streams(void **state)
{
	struct workload wl;

	(void)state;
	load_ok("workload: t\npatterns:\n"
		"  - { pattern: incast, to: h3, senders: [h6, h0], rate: 10G }\n"
		"  - { pattern: permutation }\n", &wl);
	assert_int_equal(wl.flows.n, 2 + 8);
	assert_int_equal(wl.flows.v[0].src_host, 6);
	assert_int_equal(wl.flows.v[1].src_host, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(wl.flows.v[i].dst_host, 3);
		assert_int_equal(wl.flows.v[i].rate_bps, 10000000000ull);
	}
	for (size_t i = 0; i < wl.flows.n; i++) {
		assert_int_equal(wl.flows.v[i].bytes, 0);
		assert_int_equal(wl.flows.v[i].id, i);
	}
	workload_free(&wl);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("workload: t\npatterns:\n  - pattern: shuffle\n    bytes: 1M\n",
		     "w.yaml:3: unknown pattern 'shuffle'");
	expect_error("workload: t\npatterns:\n  - pattern: all_reduce\n", "w.yaml:3: pattern all_reduce needs 'bytes'");
	expect_error("workload: t\npatterns:\n  - { pattern: incast, to: h1, senders: [h0, h1] }\n",
		     "w.yaml:3: incast: 'h1' is the receiver");
	expect_error("workload: t\npatterns:\n  - { pattern: incast, to: h1, senders: [h0, h0] }\n",
		     "w.yaml:3: host 'h0' is listed twice");
	expect_error("workload: t\npatterns:\n  - pattern: permutation\n    bytes: 1X\n", "w.yaml:4: bad size '1X'");
	expect_error("workload: t\npatterns:\n  - pattern: permutation\n    bytes: 1M\n    to: h1\n",
		     "w.yaml:5: 'to' does not apply to pattern permutation");
	expect_error("workload: t\npatterns:\n  - pattern: incast\n    to: h99\n    senders: 2\n    bytes: 1M\n",
		     "w.yaml:4: no host 'h99'");
	expect_error("workload: t\npatterns:\n  - pattern: incast\n    to: h1\n    senders: 8\n    bytes: 1M\n",
		     "w.yaml:5: senders 8 out of range 1..7");
	expect_error("workload: t\npatterns:\n  - pattern: all_reduce\n    bytes: 1M\n    hosts: [h0, h1, h0]\n",
		     "w.yaml:5: host 'h0' is listed twice");
	expect_error("workload: t\npatterns:\n  - pattern: poisson\n    cdf: nosuch\n    load: 0.5\n    duration: 1ms\n",
		     "w.yaml:4: cdf 'nosuch'");
	expect_error("workload: t\npatterns:\n  - pattern: poisson\n    cdf: websearch\n    load: 1.5\n    duration: 1ms\n",
		     "w.yaml:5: 'load' must be a number in (0, 1]");
	expect_error("workload: t\ndefaults: { transport: tcp }\npatterns:\n  - { pattern: permutation, bytes: 1M }\n",
		     "w.yaml:2: bad transport 'tcp'");
	expect_error("workload: t\nfoo: 1\npatterns: []\n", "w.yaml:2: unknown key 'foo'");
	expect_error("workload: t\ndefaults: { cc: reno }\npatterns:\n  - { pattern: permutation }\n",
		     "w.yaml:2: bad cc 'reno' (none, dcqcn, dctcp or nscc, or a mapping");
	expect_error("workload: t\npatterns: []\n", "'patterns' is empty");
	expect_error("patterns:\n  - { pattern: permutation, bytes: 1M }\n", "missing key 'workload'");
}

/* `transport:` with loss recovery and `lose:`: both fields, the CSV name. */
static void test_transports_and_lose(void **state)
{
	static const char yaml[] =
		"workload: t\n"
		"defaults: { transport: go_back_n }\n"
		"patterns:\n"
		"  - { pattern: incast, to: h3, senders: [h0], bytes: 1M, lose: 5 }\n"
		"  - { pattern: incast, to: h2, senders: [h1], bytes: 1M, transport: selective_repeat, lose: 7..9 }\n"
		"  - { pattern: incast, to: h4, senders: [h5], bytes: 1M, transport: rocev2 }\n";
	struct workload wl;
	char *csv = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_ok(yaml, &wl);
	assert_int_equal(wl.flows.n, 3);
	assert_int_equal(wl.flows.v[0].transport, LOOM_FLOW_ROCEV2);
	assert_int_equal(wl.flows.v[0].recovery, LOOM_FLOW_RECOVERY_GO_BACK_N);
	assert_int_equal(wl.flows.v[0].lose_first, 5);
	assert_int_equal(wl.flows.v[0].lose_count, 1);
	assert_int_equal(wl.flows.v[1].recovery, LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT);
	assert_int_equal(wl.flows.v[1].lose_first, 7);
	assert_int_equal(wl.flows.v[1].lose_count, 3);
	assert_int_equal(wl.flows.v[2].transport, LOOM_FLOW_ROCEV2);
	assert_int_equal(wl.flows.v[2].recovery, LOOM_FLOW_RECOVERY_NONE);
	out = open_memstream(&csv, &len);
	workload_write_csv(&wl, &topo, out);
	fclose(out);
	assert_non_null(strstr(csv, ",go_back_n,"));
	assert_non_null(strstr(csv, ",selective_repeat,"));
	free(csv);
	workload_free(&wl);
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, bytes: 1M, lose: 9..3 }\n",
		     "w.yaml:3: bad lose '9..3'");
}

/* `cc:` as a mapping: the type and parameter overrides reach every flow
 * (by set number), apply over the code defaults, are written back as
 * YAML, and bad ones name the line. */
static void test_cc_params(void **state)
{
	const struct loom_cc_params *ps;
	struct loom_dcqcn_cfg dq;
	struct loom_dctcp_cfg dt;
	struct workload wl;
	const char *why;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_ok("workload: t\n"
		"defaults: { transport: rocev2, ecn: true, rate: 10G,\n"
		"            cc: {type: dcqcn, rate_ai: 10M, g: 1/128, increase_timer: 55us, clamp_target: true} }\n"
		"patterns:\n"
		"  - { pattern: permutation, bytes: 1M }\n"
		"  - { pattern: incast, to: h3, senders: 2, bytes: 1M, cc: dcqcn }\n"
		"  - { pattern: incast, to: h5, senders: 2, bytes: 1M,\n"
		"      cc: {type: dcqcn, increase_timer: 55us, g: 0.0078125, clamp_target: true, rate_ai: 10000000} }\n"
		"  - { pattern: incast, to: h1, senders: 2, bytes: 1M, cc: {type: dctcp, g: 1/8, init_cwnd: 64K} }\n",
		&wl);
	assert_int_equal(wl.flows.n, 8 + 2 + 2 + 2);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(wl.flows.v[i].cc, LOOM_FLOW_CC_DCQCN);
		assert_int_equal(wl.flows.v[i].cc_params, wl.flows.v[0].cc_params);
	}
	ps = workload_cc_params(wl.flows.v[0].cc_params);
	assert_non_null(ps);
	assert_int_equal(ps->set, (1u << LOOM_CC_RATE_AI) | (1u << LOOM_CC_G) | (1u << LOOM_CC_INCREASE_TIMER) |
					  (1u << LOOM_CC_CLAMP_TARGET));
	/* the pattern's plain `cc: dcqcn` drops the defaults' overrides */
	assert_int_equal(wl.flows.v[8].cc, LOOM_FLOW_CC_DCQCN);
	assert_null(workload_cc_params(wl.flows.v[8].cc_params));
	/* the same values written differently: the same set */
	assert_int_equal(wl.flows.v[10].cc_params, wl.flows.v[0].cc_params);

	/* applied over the defaults for a 10G flow: only the named values change */
	loom_dcqcn_default(&dq, 10000000000ull);
	assert_int_equal(loom_cc_params_apply_dcqcn(ps, &dq, &why), 0);
	assert_int_equal(dq.rate_ai_bps, 10000000);
	assert_true(dq.g == 1.0 / 128);
	assert_int_equal(dq.increase_timer_ns, 55000);
	assert_true(dq.clamp_target);
	assert_int_equal(dq.rate_hai_bps, 20000000);    /* default 50M at 25G, scaled */
	assert_int_equal(dq.decrease_interval_ns, 4000); /* default */

	assert_int_equal(wl.flows.v[12].cc, LOOM_FLOW_CC_DCTCP);
	loom_dctcp_default(&dt, 1000);
	assert_int_equal(loom_cc_params_apply_dctcp(workload_cc_params(wl.flows.v[12].cc_params), &dt, &why), 0);
	assert_true(dt.g == 0.125);
	assert_int_equal(dt.init_cwnd, 64000);
	assert_int_equal(dt.min_cwnd, 2000);

	/* written back as YAML (topo expand) in a form that loads to the same set */
	out = open_memstream(&buf, &len);
	workload_write_cc(out, &wl.flows.v[0]);
	fclose(out);
	assert_string_equal(buf, "{type: dcqcn, g: 0.0078125, rate_ai: 10000000, increase_timer: 55000ns, "
				 "clamp_target: true}");
	free(buf);
	workload_free(&wl);

	/* an override the flow's rate contradicts, caught by loomd's check too */
	ps = NULL;
	{
		struct loom_cc_params p = {0};

		loom_cc_params_set(&p, LOOM_CC_MIN_RATE, 20e9);
		loom_dcqcn_default(&dq, 10000000000ull);
		assert_int_equal(loom_cc_params_apply_dcqcn(&p, &dq, &why), -EINVAL);
		assert_string_equal(why, "min_rate above the flow's rate");
		p.v[LOOM_CC_MIN_RATE] = -1; /* out of range: named */
		assert_int_equal(loom_cc_params_apply_dcqcn(&p, &dq, &why), -EINVAL);
		assert_string_equal(why, "min_rate");
	}

	expect_error("workload: t\ndefaults:\n  cc: {type: dctcp, rate_ai: 5M}\npatterns:\n  - { pattern: permutation }\n",
		     "w.yaml:3: cc: 'rate_ai' is not a parameter of dctcp (dcqcn has it)");
	expect_error("workload: t\npatterns:\n  - pattern: permutation\n    cc:\n      type: dcqcn\n      g: 2\n",
		     "w.yaml:6: cc: bad g '2': a number in (0, 1]");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: dcqcn, g: 1/0} }\n",
		     "w.yaml:3: cc: bad g '1/0'");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: dcqcn, gain: 0.5} }\n",
		     "w.yaml:3: unknown key 'gain'");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {g: 0.5} }\n",
		     "w.yaml:3: missing key 'type' in cc");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: cubic} }\n",
		     "w.yaml:3: bad cc type 'cubic'");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: dcqcn, increase_timer: 0ns} }\n",
		     "w.yaml:3: cc: bad increase_timer");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, rate: 10G, cc: {type: dcqcn, min_rate: 20G} }\n",
		     "w.yaml:3: cc: bad min_rate above the flow's rate");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, packet: 1500, cc: {type: dctcp, min_cwnd: 100K} }\n",
		     "w.yaml:3: cc: bad init_cwnd outside min_cwnd..max_cwnd");
	/* nscc: its own parameters, and dctcp's windows */
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: nscc, g: 1/8} }\n",
		     "w.yaml:3: cc: 'g' is not a parameter of nscc");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: dctcp, base_rtt: 9us} }\n",
		     "w.yaml:3: cc: 'base_rtt' is not a parameter of dctcp (nscc has it)");
	expect_error("workload: t\npatterns:\n  - { pattern: permutation, cc: {type: nscc, init_cwnd: 300K, max_cwnd: 200K} }\n",
		     "w.yaml:3: cc: bad init_cwnd outside min_cwnd..max_cwnd");
	{
		struct loom_cc_params p = {0};
		struct loom_nscc_cfg nc;

		loom_cc_params_set(&p, LOOM_CC_BASE_RTT, 9280);
		loom_cc_params_set(&p, LOOM_CC_TARGET_DELAY, 12000);
		loom_nscc_default(&nc, 4056, 100000000000ull);
		assert_int_equal(loom_cc_params_apply_nscc(&p, &nc, &why), 0);
		assert_int_equal(nc.base_rtt, 9280);
		assert_int_equal(nc.target_qdelay, 12000);
		assert_int_equal(nc.max_cwnd, 0); /* 1.5 BDP, from the base RTT */
	}
}

static void test_permutation_impossible_explained(void **state)
{
	/* one leaf with 2 hosts and one with 1: leaf0 holds 2 of 3 */
	static const char t3[] =
		"fabric: t3\n"
		"switches:\n"
		"  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"
		"  - { name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }\n"
		"  - { name: spine0, role: spine }\n"
		"hosts: [ {name: a}, {name: b}, {name: c} ]\n"
		"links:\n"
		"  - { a: a, b: leaf0:0 }\n"
		"  - { a: b, b: leaf0:1 }\n"
		"  - { a: c, b: leaf1:0 }\n"
		"  - { a: leaf0:2, b: spine0:0 }\n"
		"  - { a: leaf1:2, b: spine0:1 }\n";
	struct topology t;
	struct workload wl;
	char err[512];

	(void)state;
	load_string(t3, &t);
	assert_int_equal(workload_load_string("workload: w\npatterns:\n  - { pattern: permutation, bytes: 1M }\n",
					      "w.yaml", ".", &t, &wl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "w.yaml:3: no permutation across leaves: leaf leaf0 holds 2 of the 3 hosts"));
	topo_free(&t);
}

static void test_parse_bytes(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(loom_parse_bytes("1500", &b), 0);
	assert_int_equal(b, 1500);
	assert_int_equal(loom_parse_bytes("64K", &b), 0);
	assert_int_equal(b, 64000);
	assert_int_equal(loom_parse_bytes("1.5M", &b), 0);
	assert_int_equal(b, 1500000);
	assert_int_equal(loom_parse_bytes("16MiB", &b), 0);
	assert_int_equal(b, 16777216);
	assert_int_equal(loom_parse_bytes("2GB", &b), 0);
	assert_int_equal(b, 2000000000);
	assert_int_equal(loom_parse_bytes("1.5", &b), -1);
	assert_int_equal(loom_parse_bytes("-1", &b), -1);
	assert_int_equal(loom_parse_bytes("+1M", &b), -1);
	assert_int_equal(loom_parse_bytes(".5M", &b), -1);
	assert_int_equal(loom_parse_bytes("1 MB", &b), 0); /* one reader for every file: the TM's took spaces */
	assert_int_equal(b, 1000000);
	assert_int_equal(loom_parse_bytes("4kib", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(loom_parse_bytes("2T", &b), 0);
	assert_int_equal(b, 2000000000000ull);
	assert_int_equal(loom_parse_bytes("1000000T", &b), -1);
	assert_int_equal(loom_parse_bytes("1 XB", &b), -1);
}

/* The ideal-throughput model of the shipped topologies, and a
 * permutation's max-min rates on them: default (4 racks of 2 hosts at
 * 10G, 2 x 10G up: not oversubscribed) gives every flow 10G;
 * oversubscribed (4 hosts per rack, 2 x 10G up: 2:1) gives 20/4 = 5G to
 * every cross-leaf flow; two-plane-4x8 adds up both planes (hosts 20G,
 * racks 2 planes x 4 spines x 10G = 80G up for 2 hosts). */
static void test_capacity_model(void **state)
{
	static const struct {
		const char *file;
		uint32_t racks;
		double host, up, perm_rate;
	} cases[] = {
		{"default.yaml", 4, 10e9, 20e9, 10e9},
		{"oversubscribed.yaml", 4, 10e9, 20e9, 5e9},
		{"two-plane-4x8.yaml", 8, 20e9, 80e9, 20e9},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct workload_capacity c;
		struct workload_hosts h;
		struct loom_flow_list l;
		struct loom_flow_spec tmpl = {.bytes = 1};
		struct loom_rng rng;
		struct topology t;
		char err[512];
		double *r;

		load_file(cases[i].file, &t);
		if (workload_capacity_from_topo(&t, &c, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		assert_int_equal(c.m.n_leaves, cases[i].racks);
		for (uint32_t k = 0; k < c.m.n_leaves; k++)
			assert_true(c.up[k] == cases[i].up && c.down[k] == cases[i].up);
		for (uint32_t k = 0; k < c.m.n_hosts; k++)
			assert_true(c.tx[k] == cases[i].host);
		assert_int_equal(workload_hosts_from_topo(&t, &h, err, sizeof(err)), 0);
		loom_flow_list_init(&l);
		loom_rng_seed(&rng, 1);
		assert_int_equal(loom_wl_permutation(&l, &h.wl, &tmpl, &rng), 0);
		r = calloc(l.n, sizeof(*r));
		assert_int_equal(loom_maxmin_clos(&c.m, l.v, l.n, r), 0);
		for (size_t f = 0; f < l.n; f++)
			if (fabs(r[f] - cases[i].perm_rate) > 1)
				fail_msg("%s: flow %zu at %.3f Gb/s, expected %.3f", cases[i].file, f, r[f] / 1e9,
					 cases[i].perm_rate / 1e9);
		free(r);
		loom_flow_list_free(&l);
		workload_hosts_free(&h);
		workload_capacity_free(&c);
		topo_free(&t);
	}
}

static void test_capacity_three_tiers_refused(void **state)
{
	struct workload_capacity c;
	struct topology t;
	char err[512];

	(void)state;
	load_file("fat-tree-k4.yaml", &t);
	assert_int_equal(workload_capacity_from_topo(&t, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "two tiers"));
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_transports_and_lose),
		cmocka_unit_test(test_example_and_csv),
		cmocka_unit_test(test_named_senders_and_streams),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_permutation_impossible_explained),
		cmocka_unit_test(test_parse_bytes),
		cmocka_unit_test(test_cc_params),
		cmocka_unit_test(test_capacity_model),
		cmocka_unit_test(test_capacity_three_tiers_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
