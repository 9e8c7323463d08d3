/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load-balancing measurements: reorder counting (in order is 0; a late
 * packet counts once with its distance in packets; TCP distances from
 * bytes; sequence wrap; flows in table slots, evictions; pure ACKs
 * ignored) and member imbalance (max/mean, coefficient of variation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/lb/lb_imbalance.h"
#include "loom/lb/lb_reorder.h"

#define T 1000 /* all packets of a test at about the same time */

static void test_in_order_is_zero(void **state)
{
	struct lb_reorder r;

	(void)state;
	assert_int_equal(lb_reorder_init(&r, 64), 0);
	for (uint32_t s = 0; s < 1000; s++) {
		assert_int_equal(lb_reorder_observe(&r, 7, s, 1, T), 0);
		assert_int_equal(lb_reorder_observe(&r, 8, 100 + 1460 * s, 1460, T), 0);
	}
	assert_int_equal(r.c.packets, 2000);
	assert_int_equal(r.c.out_of_order, 0);
	assert_int_equal(r.c.flows, 2);
	/* a gap (loss) is not a reorder */
	assert_int_equal(lb_reorder_observe(&r, 7, 5000, 1, T), 0);
	assert_int_equal(r.c.out_of_order, 0);
	lb_reorder_free(&r);
}

static void test_late_packets_and_distance(void **state)
{
	struct lb_reorder r;

	(void)state;
	assert_int_equal(lb_reorder_init(&r, 64), 0);
	/* 0 1 3 4 2 5: packet 2 is 2 behind (after 4) */
	uint32_t order[] = {0, 1, 3, 4, 2, 5};
	uint32_t dist[] = {0, 0, 0, 0, 2, 0};
	for (int i = 0; i < 6; i++)
		assert_int_equal(lb_reorder_observe(&r, 9, order[i], 1, T), dist[i]);
	assert_int_equal(r.c.out_of_order, 1);
	assert_int_equal(r.c.distance[1], 1); /* bucket [2, 3] */
	/* 100 packets late: bucket [64, 127] */
	lb_reorder_observe(&r, 9, 105, 1, T);
	assert_int_equal(lb_reorder_observe(&r, 9, 5, 1, T), 100);
	assert_int_equal(r.c.distance[6], 1);
	/* TCP: 1000-byte segments, one segment late -> distance 1 */
	lb_reorder_observe(&r, 11, 0, 1000, T);
	lb_reorder_observe(&r, 11, 2000, 1000, T);
	assert_int_equal(lb_reorder_observe(&r, 11, 1000, 1000, T), 1);
	assert_int_equal(r.c.distance[0], 1);
	/* pure ACK (no payload): ignored */
	assert_int_equal(lb_reorder_observe(&r, 11, 0, 0, T), 0);
	assert_int_equal(r.c.out_of_order, 3);
	/* serial arithmetic across the wrap */
	lb_reorder_observe(&r, 13, 0xfffffffe, 1, T);
	assert_int_equal(lb_reorder_observe(&r, 13, 1, 1, T), 0);
	assert_int_equal(lb_reorder_observe(&r, 13, 0xffffffff, 1, T), 2);
	assert_int_equal(r.c.out_of_order, 4);
	assert_int_equal(lb_reorder_bucket(1), 0);
	assert_int_equal(lb_reorder_bucket(4), 2);
	assert_int_equal(lb_reorder_bucket(1u << 30), LB_REORDER_BUCKETS - 1);
	lb_reorder_free(&r);
}

static void test_idle_flow_starts_afresh(void **state)
{
	struct lb_reorder r;

	(void)state;
	assert_int_equal(lb_reorder_init(&r, 64), 0);
	for (uint32_t s = 0; s < 100; s++)
		lb_reorder_observe(&r, 3, s, 1, T + s * 1000);
	/* the sender starts over after a pause longer than the idle time */
	assert_int_equal(lb_reorder_observe(&r, 3, 0, 1, T + 99000 + LB_REORDER_IDLE_NS + 1), 0);
	assert_int_equal(lb_reorder_observe(&r, 3, 1, 1, T + 100000 + LB_REORDER_IDLE_NS + 1), 0);
	assert_int_equal(r.c.restarts, 1);
	assert_int_equal(r.c.out_of_order, 0);
	/* within the idle time, going back is a reorder */
	assert_int_equal(lb_reorder_observe(&r, 3, 0, 1, T + 101000 + LB_REORDER_IDLE_NS), 1);
	lb_reorder_free(&r);
}

static void test_slots_and_eviction(void **state)
{
	struct lb_reorder r;

	(void)state;
	assert_int_equal(lb_reorder_init(&r, 4), 0);
	lb_reorder_free(&r);
	assert_int_equal(lb_reorder_init(&r, 6), -1);
	assert_int_equal(lb_reorder_init(&r, 4), 0);
	lb_reorder_observe(&r, 1, 10, 1, T);
	lb_reorder_observe(&r, 5, 0, 1, T); /* same slot (5 & 3 == 1): evicts flow 1 */
	assert_int_equal(r.c.evictions, 1);
	/* flow 1 returns: starts afresh, its old high mark is gone */
	assert_int_equal(lb_reorder_observe(&r, 1, 3, 1, T), 0);
	assert_int_equal(r.c.flows, 3);
	lb_reorder_free(&r);
}

/* A table on the caller's memory (loomd: pages resident only where
 * written) counts exactly as one it allocates, writes only there, and is
 * left to the caller by lb_reorder_free. */
static void test_table_on_callers_memory(void **state)
{
	static struct lb_reorder_flow mem[64 + 1];
	struct lb_reorder a, b;
	uint32_t order[] = {0, 1, 3, 4, 2, 5, 9, 6};

	(void)state;
	assert_int_equal(lb_reorder_init_in(&b, 48, mem), -1); /* not a power of two */
	assert_int_equal(lb_reorder_init_in(&b, 64, NULL), -1);
	mem[64].tag = 0xfeed; /* a guard after the table */
	assert_int_equal(lb_reorder_init_in(&b, 64, mem), 0);
	assert_int_equal(lb_reorder_init(&a, 64), 0);
	for (uint32_t f = 1; f < 200; f++)
		for (int i = 0; i < 8; i++)
			assert_int_equal(lb_reorder_observe(&b, f * 2654435761u, order[i], 1, T),
					 lb_reorder_observe(&a, f * 2654435761u, order[i], 1, T));
	assert_memory_equal(&a.c, &b.c, sizeof(a.c));
	assert_memory_equal(a.flows, mem, 64 * sizeof(*mem));
	assert_true(b.c.evictions > 0);
	assert_int_equal(mem[64].tag, 0xfeed);
	lb_reorder_free(&b);
	assert_null(b.flows);
	assert_int_not_equal(mem[0].tag, 0); /* still the caller's, untouched by the free */
	lb_reorder_free(&a);
}

static void test_imbalance(void **state)
{
	uint64_t even[4] = {100, 100, 100, 100}, one[4] = {400, 0, 0, 0}, two[2] = {300, 100}, none[3] = {0};
	struct lb_imbalance i;

	(void)state;
	i = lb_imbalance_of(even, 4);
	assert_true(i.max_over_mean == 1.0 && i.cv == 0.0);
	i = lb_imbalance_of(one, 4);
	assert_true(i.max_over_mean == 4.0);
	assert_true(i.cv > 1.7320 && i.cv < 1.7321); /* sqrt(3) */
	i = lb_imbalance_of(two, 2);
	assert_true(i.max_over_mean == 1.5 && i.cv == 0.5);
	i = lb_imbalance_of(none, 3);
	assert_true(i.max_over_mean == 0.0 && i.cv == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_is_zero),
		cmocka_unit_test(test_late_packets_and_distance),
		cmocka_unit_test(test_idle_flow_starts_afresh),
		cmocka_unit_test(test_slots_and_eviction),
		cmocka_unit_test(test_table_on_callers_memory),
		cmocka_unit_test(test_imbalance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
