/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workload generators:
 *  - permutation: a bijection with no host sending on its own leaf, for
 *    even and uneven leaves and many seeds; refused when one leaf holds
 *    more than half the hosts; the seed decides the list (same seed: same
 *    list; the mix reaches more than one permutation);
 *  - all-to-all: every ordered pair exactly once, no self pairs;
 *  - incast: N distinct senders, none the receiver, all to it;
 *  - ring all-reduce / all-gather: 2(k-1) / k-1 phases of k chunks, each
 *    from a rank to its successor, group ids, chained starts;
 *  - broadcast; Poisson arrivals: sorted starts inside the window, the
 *    offered load within 5% of the target over many flows, cross-leaf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "loom/traffic/workload.h"

static const struct loom_flow_spec tmpl_1m = {.bytes = 1000000, .start = 5000, .ecn_capable = 1};

static void check_permutation(const struct loom_flow_list *l, const struct loom_wl_hosts *h)
{
	int seen_src[256] = {0}, seen_dst[256] = {0};

	assert_int_equal(l->n, h->n_hosts);
	for (size_t i = 0; i < l->n; i++) {
		const struct loom_flow_spec *f = &l->v[i];
		assert_int_equal(f->id, i);
		assert_true(f->src_host < h->n_hosts && f->dst_host < h->n_hosts);
		assert_int_not_equal(h->leaf_of[f->src_host], h->leaf_of[f->dst_host]);
		seen_src[f->src_host]++;
		seen_dst[f->dst_host]++;
		assert_int_equal(f->bytes, 1000000);
		assert_int_equal(f->start, 5000);
		assert_int_equal(f->ecn_capable, 1);
		assert_true(f->src_port >= 49152);
	}
	for (uint32_t i = 0; i < h->n_hosts; i++) {
		assert_int_equal(seen_src[i], 1);
		assert_int_equal(seen_dst[i], 1);
	}
}

static void test_permutation_derangement_across_leaves(void **state)
{
	/* 4 leaves x 2 hosts; 3 uneven leaves (3, 2, 1: the largest is
	 * exactly half); 16 leaves x 8 hosts */
	static const uint32_t even[] = {0, 0, 1, 1, 2, 2, 3, 3};
	static const uint32_t uneven[] = {2, 0, 2, 1, 2, 0};
	uint32_t big[128];
	const struct loom_wl_hosts sets[] = {
		{8, even}, {6, uneven}, {128, big},
	};

	(void)state;
	for (uint32_t i = 0; i < 128; i++)
		big[i] = i / 8;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (uint64_t seed = 1; seed <= 200; seed++) {
			struct loom_flow_list l;
			struct loom_rng rng;

			loom_flow_list_init(&l);
			loom_rng_seed(&rng, seed);
			assert_int_equal(loom_wl_permutation(&l, &sets[s], &tmpl_1m, &rng), 0);
			check_permutation(&l, &sets[s]);
			loom_flow_list_free(&l);
		}
}

static void test_permutation_impossible(void **state)
{
	/* leaf 0 holds 3 of 5 hosts: two of them would have to send to each other */
	static const uint32_t leaf_of[] = {0, 0, 0, 1, 1};
	static const uint32_t one[] = {0};
	const struct loom_wl_hosts h = {5, leaf_of}, h1 = {1, one};
	struct loom_flow_list l;
	struct loom_rng rng;

	(void)state;
	loom_flow_list_init(&l);
	loom_rng_seed(&rng, 1);
	assert_int_equal(loom_wl_permutation(&l, &h, &tmpl_1m, &rng), -EINVAL);
	assert_int_equal(loom_wl_permutation(&l, &h1, &tmpl_1m, &rng), -EINVAL);
	assert_int_equal(l.n, 0);
	loom_flow_list_free(&l);
}

static void test_permutation_seeded(void **state)
{
	static const uint32_t leaf_of[] = {0, 0, 1, 1, 2, 2, 3, 3};
	const struct loom_wl_hosts h = {8, leaf_of};
	struct loom_flow_list a, b;
	struct loom_rng ra, rb;
	int differ = 0;

	(void)state;
	loom_flow_list_init(&a);
	loom_flow_list_init(&b);
	loom_rng_seed(&ra, 42);
	loom_rng_seed(&rb, 42);
	assert_int_equal(loom_wl_permutation(&a, &h, &tmpl_1m, &ra), 0);
	assert_int_equal(loom_wl_permutation(&b, &h, &tmpl_1m, &rb), 0);
	assert_memory_equal(a.v, b.v, a.n * sizeof(*a.v));
	/* another seed gives another permutation (not just a relabelling of
	 * one fixed shift) */
	for (uint64_t seed = 43; seed < 60; seed++) {
		loom_flow_list_free(&b);
		loom_rng_seed(&rb, seed);
		assert_int_equal(loom_wl_permutation(&b, &h, &tmpl_1m, &rb), 0);
		for (size_t i = 0; i < a.n; i++)
			differ += a.v[i].dst_host != b.v[i].dst_host;
	}
	assert_true(differ > 0);
	loom_flow_list_free(&a);
	loom_flow_list_free(&b);
}

static void test_all_to_all_pairs_once(void **state)
{
	static const uint32_t leaf_of[] = {0, 0, 1, 1, 2};
	const struct loom_wl_hosts h = {5, leaf_of};
	int seen[5][5] = {{0}};
	struct loom_flow_list l;
	struct loom_rng rng;

	(void)state;
	loom_flow_list_init(&l);
	loom_rng_seed(&rng, 7);
	assert_int_equal(loom_wl_all_to_all(&l, &h, &tmpl_1m, &rng), 0);
	assert_int_equal(l.n, 5 * 4);
	for (size_t i = 0; i < l.n; i++)
		seen[l.v[i].src_host][l.v[i].dst_host]++;
	for (int s = 0; s < 5; s++)
		for (int d = 0; d < 5; d++)
			assert_int_equal(seen[s][d], s == d ? 0 : 1);
	loom_flow_list_free(&l);
}

static void test_incast(void **state)
{
	uint32_t leaf_of[16];
	const struct loom_wl_hosts h = {16, leaf_of};
	struct loom_flow_list l;
	struct loom_rng rng;

	(void)state;
	for (int i = 0; i < 16; i++)
		leaf_of[i] = (uint32_t)i / 4;
	loom_flow_list_init(&l);
	loom_rng_seed(&rng, 3);
	for (uint32_t n = 1; n <= 15; n++) {
		int seen[16] = {0};
		size_t base = l.n;

		assert_int_equal(loom_wl_incast(&l, &h, &tmpl_1m, 5, n, &rng), 0);
		assert_int_equal(l.n - base, n);
		for (size_t i = base; i < l.n; i++) {
			assert_int_equal(l.v[i].dst_host, 5);
			assert_int_not_equal(l.v[i].src_host, 5);
			assert_int_equal(seen[l.v[i].src_host]++, 0);
			assert_int_equal(l.v[i].id, i);
		}
	}
	assert_int_equal(loom_wl_incast(&l, &h, &tmpl_1m, 5, 16, &rng), -EINVAL);
	assert_int_equal(loom_wl_incast(&l, &h, &tmpl_1m, 16, 1, &rng), -EINVAL);
	loom_flow_list_free(&l);
}

static void check_ring(const struct loom_flow_list *l, const uint32_t *ring, uint32_t k,
		       uint32_t phases, uint64_t chunk, uint32_t coll)
{
	assert_int_equal(l->n, (size_t)k * phases);
	for (uint32_t p = 0; p < phases; p++) {
		int sends[64] = {0}, recvs[64] = {0};

		for (uint32_t i = 0; i < k; i++) {
			const struct loom_flow_spec *f = &l->v[p * k + i];
			uint32_t r;

			assert_int_equal(LOOM_WL_GROUP_COLLECTIVE(f->group), coll);
			assert_int_equal(LOOM_WL_GROUP_PHASE(f->group), p);
			assert_int_equal(f->bytes, chunk);
			if (p == 0)
				assert_int_equal(f->start, 5000);
			else
				assert_true(f->start == LOOM_WL_START_CHAINED);
			/* from a rank to its successor */
			for (r = 0; r < k && ring[r] != f->src_host; r++)
				;
			assert_true(r < k);
			assert_int_equal(f->dst_host, ring[(r + 1) % k]);
			sends[f->src_host]++;
			recvs[f->dst_host]++;
		}
		for (uint32_t i = 0; i < k; i++) {
			assert_int_equal(sends[ring[i]], 1);
			assert_int_equal(recvs[ring[i]], 1);
		}
	}
}

static void test_ring_collectives(void **state)
{
	static const uint32_t leaf_of[] = {0, 0, 1, 1, 2, 2, 3, 3};
	static const uint32_t ring[] = {0, 2, 4, 6, 1, 3, 5, 7};
	static const uint32_t dup[] = {0, 2, 0};
	const struct loom_wl_hosts h = {8, leaf_of};
	struct loom_flow_list l;
	struct loom_rng rng;

	(void)state;
	loom_rng_seed(&rng, 9);
	loom_flow_list_init(&l);
	/* 8 MB over 8 ranks: chunks of 1 MB, 14 phases */
	assert_int_equal(loom_wl_ring_allreduce(&l, &h, &tmpl_1m, ring, 8, 8000000, 3, &rng), 0);
	check_ring(&l, ring, 8, 14, 1000000, 3);
	loom_flow_list_free(&l);
	/* 1000 bytes over 3 ranks: chunks of ceil(1000/3) = 334, 2 phases */
	assert_int_equal(loom_wl_ring_allgather(&l, &h, &tmpl_1m, ring, 3, 1000, 1, &rng), 0);
	check_ring(&l, ring, 3, 2, 334, 1);
	assert_int_equal(loom_wl_ring_allgather(&l, &h, &tmpl_1m, dup, 3, 1000, 1, &rng), -EINVAL);
	assert_int_equal(loom_wl_ring_allgather(&l, &h, &tmpl_1m, ring, 1, 1000, 1, &rng), -EINVAL);
	assert_int_equal(loom_wl_ring_allgather(&l, &h, &tmpl_1m, ring, 3, 1000, 0, &rng), -EINVAL);
	assert_int_equal(l.n, 6);
	loom_flow_list_free(&l);
}

static void test_broadcast(void **state)
{
	static const uint32_t leaf_of[] = {0, 0, 1, 1};
	static const uint32_t dsts[] = {1, 2, 3};
	const struct loom_wl_hosts h = {4, leaf_of};
	struct loom_flow_list l;
	struct loom_rng rng;

	(void)state;
	loom_rng_seed(&rng, 9);
	loom_flow_list_init(&l);
	assert_int_equal(loom_wl_broadcast(&l, &h, &tmpl_1m, 0, dsts, 3, 2, &rng), 0);
	assert_int_equal(l.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(l.v[i].src_host, 0);
		assert_int_equal(l.v[i].dst_host, dsts[i]);
		assert_int_equal(l.v[i].group, LOOM_WL_GROUP(2, 0));
	}
	assert_int_equal(loom_wl_broadcast(&l, &h, &tmpl_1m, 1, dsts, 3, 2, &rng), -EINVAL);
	loom_flow_list_free(&l);
}

static void test_poisson_load(void **state)
{
	/* a two-point table: sizes uniform on 10 KB .. 30 KB, mean 20 KB */
	static const char table[] = "10000 0\n30000 100\n";
	uint32_t leaf_of[16];
	const struct loom_wl_hosts h = {16, leaf_of};
	struct loom_wl_poisson_cfg cfg = {
		.load = 0.4, .host_rate_bps = 10000000000ull, .duration_ns = 100 * LOOM_NS_PER_MS,
		.cross_leaf_only = 1,
	};
	struct loom_flow_spec tmpl = {.start = 1000};
	struct loom_flow_list l;
	struct loom_rng rng;
	struct loom_cdf cdf;
	char err[256];
	double bytes = 0, offered;

	(void)state;
	for (int i = 0; i < 16; i++)
		leaf_of[i] = (uint32_t)i / 4;
	assert_int_equal(loom_cdf_parse(table, "t", &cdf, err, sizeof(err)), 0);
	loom_rng_seed(&rng, 11);
	loom_flow_list_init(&l);
	assert_int_equal(loom_wl_poisson(&l, &h, &tmpl, &cdf, &cfg, &rng), 0);
	/* 16 hosts x 0.4 x 10 Gb/s x 0.1 s / 160 kbit = 40 000 flows expected */
	assert_true(l.n > 38000 && l.n < 42000);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.v[i].start >= 1000 && l.v[i].start < 1000 + cfg.duration_ns);
		if (i)
			assert_true(l.v[i].start >= l.v[i - 1].start);
		assert_int_not_equal(leaf_of[l.v[i].src_host], leaf_of[l.v[i].dst_host]);
		assert_true(l.v[i].bytes >= 10000 && l.v[i].bytes <= 30000);
		bytes += (double)l.v[i].bytes;
	}
	offered = bytes * 8 / 0.1 / (16 * 10e9);
	assert_true(offered > 0.38 && offered < 0.42);
	print_message("poisson: %zu flows, offered load %.4f (target 0.4)\n", l.n, offered);
	/* the bound on the list is kept */
	cfg.max_flows = 100;
	loom_flow_list_free(&l);
	assert_int_equal(loom_wl_poisson(&l, &h, &tmpl, &cdf, &cfg, &rng), -E2BIG);
	assert_int_equal(l.n, 0);
	cfg.max_flows = 0;
	cfg.load = 1.5;
	assert_int_equal(loom_wl_poisson(&l, &h, &tmpl, &cdf, &cfg, &rng), -EINVAL);
	loom_flow_list_free(&l);
	loom_cdf_free(&cdf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutation_derangement_across_leaves),
		cmocka_unit_test(test_permutation_impossible),
		cmocka_unit_test(test_permutation_seeded),
		cmocka_unit_test(test_all_to_all_pairs_once),
		cmocka_unit_test(test_incast),
		cmocka_unit_test(test_ring_collectives),
		cmocka_unit_test(test_broadcast),
		cmocka_unit_test(test_poisson_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
