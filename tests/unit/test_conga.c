/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CONGA (loom/lb/conga.h, scheduler/lb/lb_conga.c), values by hand: a 10G
 * link's DRE with T_dre = 8 us (tau = 64 us: 80000 bytes at line rate),
 * the leaf tables, the choice, and the two policies on a fake switch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb_fake_env.h"
#include "loom/lb/conga.h"

#define T 8000u          /* T_dre, ns */
#define G10 10000000000ull

/* `bytes` every `gap` ns until `until`; the metric read at `until` - 1
 * (`until` a multiple of T: just before a decay). */
static uint8_t feed(struct lb_conga_dre *d, uint32_t bytes, loom_time_ns gap, loom_time_ns until)
{
	for (loom_time_ns t = 0; t < until; t += gap)
		lb_conga_dre_add(d, T, bytes, t);
	return lb_conga_dre_metric(d, T, G10, until - 1);
}

/* Steady state at a decay: X = 7/8 of what one tau carries at the
 * offered rate, and one period's bytes later just below all of it: read
 * just before a decay, 80000 - e of 80000 at line rate (7.99: metric 7),
 * 40000 - e at half (3); 9 periods idle: x (7/8)^9 = 24057 (2.4: 2); 256
 * periods: 0. */
static void test_dre_metric(void **state)
{
	struct lb_conga_dre full = {0}, half = {0}, q = {0};
	const loom_time_ns end = 2 * LOOM_NS_PER_MS;

	(void)state;
	assert_int_equal(feed(&full, 1250, 1000, end), 7);
	assert_int_equal(feed(&half, 1250, 2000, end), 3);
	assert_int_equal(lb_conga_dre_metric(&full, T, G10, end + 8 * T), 2);
	assert_int_equal(lb_conga_dre_metric(&full, T, G10, end + 256 * T), 0);
	/* the same bytes on a 40G link, 2 periods after: 61250 of 320000 (1.5) */
	feed(&q, 1250, 1000, end);
	assert_int_equal(lb_conga_dre_metric(&q, T, 4 * G10, end + T), 1);
}

/* A fed-back metric holds for age_ns, then counts as 0. */
static void test_to_leaf_ages(void **state)
{
	struct lb_conga_table t;
	uint8_t row[4];

	(void)state;
	assert_int_equal(lb_conga_table_init(&t, 3), 0);
	lb_conga_to_leaf_set(&t, 2, 1, 5, 1000);
	lb_conga_to_leaf_set(&t, 2, 3, 7, 1500);
	lb_conga_to_leaf_set(&t, 9, 0, 7, 1500); /* no such leaf: ignored */
	lb_conga_to_leaf_row(&t, 2, 4, 1000 + 500, 500, row);
	assert_memory_equal(row, ((uint8_t[]){0, 5, 0, 7}), 4);
	lb_conga_to_leaf_row(&t, 2, 4, 1000 + 501, 500, row);
	assert_memory_equal(row, ((uint8_t[]){0, 0, 0, 7}), 4);
	lb_conga_to_leaf_row(&t, 1, 4, 1500, 500, row);
	assert_memory_equal(row, ((uint8_t[]){0, 0, 0, 0}), 4);
	lb_conga_table_free(&t);
}

/* Feedback: changed entries first (from the cursor on), then round robin
 * over the tags seen; an unchanged value does not count as changed. */
static void test_from_leaf_feedback_order(void **state)
{
	struct lb_conga_table t;
	uint8_t tag, metric;

	(void)state;
	assert_int_equal(lb_conga_table_init(&t, 2), 0);
	assert_false(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	lb_conga_from_leaf_record(&t, 1, 0, 2, 10);
	lb_conga_from_leaf_record(&t, 1, 2, 6, 11);
	assert_true(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	assert_int_equal(tag, 0);
	assert_int_equal(metric, 2);
	assert_true(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	assert_int_equal(tag, 2);
	assert_int_equal(metric, 6);
	/* nothing changed: round robin over tags 0..2, skipping 1 (never seen) */
	assert_true(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	assert_int_equal(tag, 0);
	lb_conga_from_leaf_record(&t, 1, 0, 2, 12); /* same value */
	lb_conga_from_leaf_record(&t, 1, 2, 7, 13); /* changed */
	assert_true(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	assert_int_equal(tag, 2);
	assert_int_equal(metric, 7);
	assert_true(lb_conga_from_leaf_next(&t, 1, &tag, &metric));
	assert_int_equal(tag, 0);
	assert_false(lb_conga_from_leaf_next(&t, 0, &tag, &metric));
	lb_conga_table_free(&t);
}

static void test_pick(void **state)
{
	const uint8_t idle[4] = {0, 0, 0, 0}, local[4] = {3, 1, 1, 2}, remote[4] = {0, 6, 2, 0};
	bool by_remote;

	(void)state;
	/* all equal: the start (the flow's round robin) */
	assert_int_equal(lb_conga_pick(4, idle, idle, 2, 0, &by_remote), 2);
	assert_false(by_remote);
	/* local only: the least from the start on */
	assert_int_equal(lb_conga_pick(4, local, NULL, 0, 0, &by_remote), 1);
	assert_int_equal(lb_conga_pick(4, local, NULL, 2, 0, &by_remote), 2);
	/* max(local, remote) = {3, 6, 2, 2}: 2, or 3 from 3 on; local alone
	 * would take 1 from 0 on (changed by remote), 2 from 2 on (not) */
	assert_int_equal(lb_conga_pick(4, local, remote, 0, 0, &by_remote), 2);
	assert_true(by_remote);
	assert_int_equal(lb_conga_pick(4, local, remote, 2, 0, &by_remote), 2);
	assert_false(by_remote);
	assert_int_equal(lb_conga_pick(4, local, remote, 3, 0, &by_remote), 3);
	assert_true(by_remote);
	/* slack 1: {3, 6, 2, 2} within 3 from 0 on: 0; local {3, 1, 1, 2} within 2: 1 */
	assert_int_equal(lb_conga_pick(4, local, remote, 0, 1, &by_remote), 0);
	assert_true(by_remote);
	assert_int_equal(lb_conga_pick(4, local, remote, 1, 1, &by_remote), 2);
	assert_true(by_remote);
}

extern const struct lb_policy lb_policy_conga, lb_policy_conga_packet;

/* conga_packet on a fake switch: with member 0's path fed back at 7 the
 * flow's round robin skips it; counters follow. Without a view: the flow's
 * round robin alone. */
static void test_conga_packet_avoids_remote(void **state)
{
	struct fake_switch f;
	struct lb_conga_dre dre[FAKE_PORTS] = {{0}};
	struct lb_conga_view v = {.dre = dre, .dre_period_ns = T};
	const uint8_t remote[3] = {7, 0, 0};
	uint16_t count[3] = {0};

	(void)state;
	fake_switch_init(&f, 3, G10, 1);
	void *s = lb_policy_conga_packet.init(&f.g, &f.params);
	for (int i = 0; i < 6; i++)
		count[lb_policy_conga_packet.select(s, &f.g, &(struct lb_pkt){.flow_hash = 7, .len = 1500, .now = 0})]++;
	assert_int_equal(count[0], 2); /* no view: 0 1 2 0 1 2 */
	assert_int_equal(count[1], 2);
	f.env.conga = &v;
	v.remote = remote;
	count[0] = count[1] = count[2] = 0;
	for (int i = 0; i < 6; i++)
		count[lb_policy_conga_packet.select(s, &f.g, &(struct lb_pkt){.flow_hash = 7, .len = 1500, .now = 0})]++;
	assert_int_equal(count[0], 0);
	assert_int_equal(count[1], 3);
	assert_int_equal(count[2], 3);
	assert_int_equal(v.c.decisions, 6);
	assert_int_equal(v.c.by_remote, 3); /* starts 0 2 0 2 0 2: member 0's turns moved */
	v.remote = NULL;
	lb_policy_conga_packet.select(s, &f.g, &(struct lb_pkt){.flow_hash = 7, .len = 1500, .now = 0});
	assert_int_equal(v.c.remote_unknown, 1);
	lb_policy_conga_packet.fini(s);
}

/* conga per flowlet: packets within the idle time follow the flowlet;
 * after a longer gap it is placed again, on the least max(local, remote). */
static void test_conga_flowlet_moves_after_gap(void **state)
{
	struct fake_switch f;
	struct lb_conga_dre dre[FAKE_PORTS] = {{0}};
	struct lb_conga_view v = {.dre = dre, .dre_period_ns = T};
	uint8_t remote[2] = {0, 0};

	(void)state;
	fake_switch_init(&f, 2, G10, 1);
	f.params.idle_time_ns = 10000;
	f.env.conga = &v;
	v.remote = remote;
	void *s = lb_policy_conga.init(&f.g, &f.params);
	uint16_t m0 = lb_policy_conga.select(s, &f.g, &(struct lb_pkt){.flow_hash = 5, .len = 1500, .now = 1000});
	remote[m0] = 7; /* its path turns congested */
	assert_int_equal(lb_policy_conga.select(s, &f.g, &(struct lb_pkt){.flow_hash = 5, .len = 1500, .now = 10999}), m0);
	assert_int_equal(lb_policy_conga.select(s, &f.g, &(struct lb_pkt){.flow_hash = 5, .len = 1500, .now = 20999}),
			 1 - m0);
	assert_int_equal(v.c.decisions, 2);
	lb_policy_conga.fini(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dre_metric),
		cmocka_unit_test(test_to_leaf_ages),
		cmocka_unit_test(test_from_leaf_feedback_order),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_conga_packet_avoids_remote),
		cmocka_unit_test(test_conga_flowlet_moves_after_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
