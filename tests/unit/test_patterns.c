/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic patterns of the topology's `traffic:` list (control/traffic):
 *  - a permutation sends once from and once to every host, never within a
 *    leaf, keeps the template's fields and numbers the flows in order;
 *  - the same seed gives the same permutation, another seed another;
 *  - when no such permutation exists (one leaf holding more than half the
 *    hosts) it says so instead of looping;
 *  - an incast sends from every source to the one destination.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "traffic/patterns.h"

#define N 64

static void check_permutation(const uint32_t *hosts, const uint32_t *leaf, int n, const struct loom_flow_spec *out)
{
	int seen_src[N] = {0}, seen_dst[N] = {0};

	for (int i = 0; i < n; i++) {
		int s = -1, d = -1;

		for (int k = 0; k < n; k++) {
			if (hosts[k] == out[i].src_host)
				s = k;
			if (hosts[k] == out[i].dst_host)
				d = k;
		}
		assert_true(s >= 0 && d >= 0);
		assert_int_not_equal(leaf[s], leaf[d]);
		seen_src[s]++;
		seen_dst[d]++;
	}
	for (int k = 0; k < n; k++) {
		assert_int_equal(seen_src[k], 1);
		assert_int_equal(seen_dst[k], 1);
	}
}

static void test_permutation_is_a_derangement_across_leaves(void **state)
{
	uint32_t hosts[N], leaf[N];
	struct loom_flow_spec tmpl = {.rate_bps = 100000000000ull, .pkt_bytes = 1500, .dscp = 26, .bytes = 7};
	struct loom_flow_spec a[N], b[N], c[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		hosts[i] = (uint32_t)(100 + i); /* host numbers need not be 0.. */
		leaf[i] = (uint32_t)(i / 8);    /* 8 leaves of 8 hosts */
	}
	for (uint64_t seed = 0; seed < 50; seed++) {
		assert_int_equal(pattern_permutation(hosts, leaf, N, seed, &tmpl, 10, a), N);
		check_permutation(hosts, leaf, N, a);
	}
	assert_int_equal(pattern_permutation(hosts, leaf, N, 1, &tmpl, 10, a), N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(a[i].id, 10 + i);
		assert_int_equal(a[i].src_host, hosts[i]);
		assert_int_equal(a[i].rate_bps, tmpl.rate_bps);
		assert_int_equal(a[i].pkt_bytes, 1500);
		assert_int_equal(a[i].dscp, 26);
		assert_int_equal(a[i].bytes, 7);
	}
	assert_int_equal(pattern_permutation(hosts, leaf, N, 1, &tmpl, 10, b), N);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(pattern_permutation(hosts, leaf, N, 2, &tmpl, 10, c), N);
	assert_memory_not_equal(a, c, sizeof(a));
}

static void test_permutation_small_and_impossible(void **state)
{
	uint32_t hosts[3] = {0, 1, 2}, two_leaves[3] = {0, 1, 1}, one_leaf[3] = {5, 5, 5};
	uint32_t pair[2] = {0, 1}, pair_leaf[2] = {0, 1};
	struct loom_flow_spec tmpl = {0}, out[3];

	(void)state;
	/* two hosts on two leaves: each sends to the other */
	assert_int_equal(pattern_permutation(pair, pair_leaf, 2, 9, &tmpl, 0, out), 2);
	assert_int_equal(out[0].dst_host, 1);
	assert_int_equal(out[1].dst_host, 0);
	/* leaf 1 holds two of three hosts: both must send to host 0 */
	assert_int_equal(pattern_permutation(hosts, two_leaves, 3, 9, &tmpl, 0, out), -1);
	assert_int_equal(pattern_permutation(hosts, one_leaf, 3, 9, &tmpl, 0, out), -1);
}

static void test_incast(void **state)
{
	uint32_t srcs[3] = {4, 7, 9};
	struct loom_flow_spec tmpl = {.rate_bps = 5, .ecn_capable = 1}, out[3];

	(void)state;
	assert_int_equal(pattern_incast(srcs, 3, 2, &tmpl, 20, out), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(out[i].id, 20 + i);
		assert_int_equal(out[i].src_host, srcs[i]);
		assert_int_equal(out[i].dst_host, 2);
		assert_int_equal(out[i].rate_bps, 5);
		assert_int_equal(out[i].ecn_capable, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutation_is_a_derangement_across_leaves),
		cmocka_unit_test(test_permutation_small_and_impossible),
		cmocka_unit_test(test_incast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
