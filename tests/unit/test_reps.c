/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REPS (loom/lb/reps.h), values by hand: 1024 EVs, the buffer of 8,
 * freezing for 1000 ns with 3 EVs explored after it; one mark drops an EV
 * (the paper's reading) except in the tests of marks in a row, which set
 * strikes (and strikes_max) themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/lb/reps.h"
#include "loom/traffic/rng.h"

static void setup(struct loom_reps_cfg *c, struct loom_reps *r, uint64_t seed)
{
	loom_reps_default(c, 1024);
	c->freeze_ns = 1000;
	c->explore_after_freeze = 3;
	c->strikes = c->strikes_max = 1;
	loom_reps_init(r, seed);
}

/* The draws an empty buffer makes: xorshift64 from the seed, mod n_evs. */
static uint16_t draw(uint64_t *x, uint32_t n)
{
	*x = loom_xorshift64(*x);
	return (uint16_t)(*x % n);
}

/* Empty at the start: every packet explores, with the seed's sequence. */
static void test_explores_when_empty(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 42;

	(void)state;
	setup(&c, &r, 42);
	for (int i = 0; i < 20; i++)
		assert_int_equal(loom_reps_next(&r, &c, (loom_time_ns)i), draw(&x, 1024));
	assert_int_equal(r.st.explored, 20);
	assert_int_equal(r.st.recycled, 0);
}

/* Unmarked EVs come back in the order their ACKs came, each once; then
 * the buffer is empty again and the next packet explores. */
static void test_recycles_unmarked_in_order(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 7;

	(void)state;
	setup(&c, &r, 7);
	loom_reps_on_ack(&r, &c, 100, false, 0);
	loom_reps_on_ack(&r, &c, 200, false, 0);
	loom_reps_on_ack(&r, &c, 300, false, 0);
	assert_int_equal(loom_reps_fresh(&r), 3);
	assert_int_equal(loom_reps_next(&r, &c, 1), 100);
	assert_int_equal(loom_reps_next(&r, &c, 2), 200);
	loom_reps_on_ack(&r, &c, 400, false, 3);
	assert_int_equal(loom_reps_next(&r, &c, 4), 300);
	assert_int_equal(loom_reps_next(&r, &c, 5), 400);
	assert_int_equal(loom_reps_fresh(&r), 0);
	assert_int_equal(loom_reps_next(&r, &c, 6), draw(&x, 1024));
	assert_int_equal(r.st.recycled, 4);
	assert_int_equal(r.st.explored, 1);
	assert_int_equal(r.st.good, 4);
}

/* Marked EVs and NACKed ones are not recycled: the packets after them
 * explore instead. */
static void test_drops_marked_and_nacked(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 9;

	(void)state;
	setup(&c, &r, 9);
	loom_reps_on_ack(&r, &c, 11, true, 0);
	loom_reps_on_ack(&r, &c, 12, false, 0);
	loom_reps_on_nack(&r, &c, 13, 0);
	loom_reps_on_ack(&r, &c, 14, true, 0);
	assert_int_equal(loom_reps_fresh(&r), 1);
	assert_int_equal(loom_reps_next(&r, &c, 1), 12);
	assert_int_equal(loom_reps_next(&r, &c, 2), draw(&x, 1024));
	assert_int_equal(r.st.marked, 2);
	assert_int_equal(r.st.nacked, 1);
	assert_int_equal(r.st.good, 1);
}

/* A full buffer forgets its oldest EV: of 10 good ones the last 8 come back. */
static void test_full_buffer_keeps_newest(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;

	(void)state;
	setup(&c, &r, 1);
	for (uint16_t ev = 1; ev <= 10; ev++)
		loom_reps_on_ack(&r, &c, ev, false, 0);
	assert_int_equal(loom_reps_fresh(&r), LOOM_REPS_BUFFER);
	for (uint16_t ev = 3; ev <= 10; ev++)
		assert_int_equal(loom_reps_next(&r, &c, 1), ev);
	assert_int_equal(r.st.explored, 0);
}

/* Same seed, same ACKs: the same EVs; another seed: other explorations. */
static void test_deterministic_with_seed(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps a, b, d;
	int differ = 0;

	(void)state;
	setup(&c, &a, 123);
	setup(&c, &b, 123);
	setup(&c, &d, 124);
	for (int i = 0; i < 200; i++) {
		uint16_t ea = loom_reps_next(&a, &c, (loom_time_ns)i);
		uint16_t eb = loom_reps_next(&b, &c, (loom_time_ns)i);
		uint16_t ed = loom_reps_next(&d, &c, (loom_time_ns)i);

		assert_int_equal(ea, eb);
		differ += ea != ed;
		/* every third packet's EV comes back marked, the others good */
		loom_reps_on_ack(&a, &c, ea, i % 3 == 0, (loom_time_ns)i);
		loom_reps_on_ack(&b, &c, eb, i % 3 == 0, (loom_time_ns)i);
		loom_reps_on_ack(&d, &c, ed, i % 3 == 0, (loom_time_ns)i);
	}
	assert_memory_equal(&a.st, &b.st, sizeof(a.st));
	assert_true(differ > 0);
	/* one packet out, one ACK back: after the first, a third of the EVs are marked and lost, and each
	 * loss is replaced by an exploration */
	assert_int_equal(a.st.marked, 67);
	assert_int_equal(a.st.explored + a.st.recycled, 200);
	assert_int_equal(a.st.recycled, 132);
}

/* Zero is xorshift's fixed point: seed 0 still draws. */
static void test_seed_zero(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 1;

	(void)state;
	setup(&c, &r, 0);
	assert_int_equal(loom_reps_next(&r, &c, 0), draw(&x, 1024));
	assert_int_equal(loom_reps_next(&r, &c, 0), draw(&x, 1024));
}

/* A timeout freezes: packets cycle over the buffered EVs (used ones too)
 * and do not explore; good ACKs still enter it. After freeze_ns the
 * buffer is emptied and explore_after_freeze packets explore, then it
 * recycles again. A timeout while frozen or exploring changes nothing. */
static void test_freeze_on_timeout(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 5;

	(void)state;
	setup(&c, &r, 5);
	loom_reps_on_ack(&r, &c, 21, false, 0);
	loom_reps_on_ack(&r, &c, 22, false, 0);
	assert_int_equal(loom_reps_next(&r, &c, 1), 21); /* used before the freeze */
	loom_reps_on_timeout(&r, &c, 100);
	assert_true(r.frozen);
	assert_int_equal(r.st.freezes, 1);
	assert_int_equal(loom_reps_next(&r, &c, 101), 21);
	assert_int_equal(loom_reps_next(&r, &c, 102), 22);
	assert_int_equal(loom_reps_next(&r, &c, 103), 21);
	loom_reps_on_timeout(&r, &c, 104); /* already frozen */
	assert_int_equal(r.st.freezes, 1);
	loom_reps_on_ack(&r, &c, 23, true, 105);  /* marked: still not kept */
	loom_reps_on_ack(&r, &c, 24, false, 105); /* good: joins the cycle */
	assert_int_equal(loom_reps_next(&r, &c, 106), 22);
	assert_int_equal(loom_reps_next(&r, &c, 107), 24);
	assert_int_equal(loom_reps_next(&r, &c, 108), 21);
	assert_int_equal(r.st.explored, 0);
	assert_int_equal(r.st.frozen_sends, 6);
	/* the freeze ends at 1100: emptied, three explorations */
	assert_int_equal(loom_reps_next(&r, &c, 1100), draw(&x, 1024));
	assert_false(r.frozen);
	assert_int_equal(loom_reps_fresh(&r), 0);
	loom_reps_on_ack(&r, &c, 31, false, 1101); /* buffered, but exploring comes first */
	loom_reps_on_timeout(&r, &c, 1102);        /* exploring: no freeze */
	assert_int_equal(r.st.freezes, 1);
	assert_int_equal(loom_reps_next(&r, &c, 1103), draw(&x, 1024));
	assert_int_equal(loom_reps_next(&r, &c, 1104), draw(&x, 1024));
	assert_int_equal(loom_reps_next(&r, &c, 1105), 31);
	assert_int_equal(r.st.explored, 3);
}

/* freeze_ns 0: timeouts never freeze; frozen with nothing buffered: explore. */
static void test_no_freeze_and_frozen_empty(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 3;

	(void)state;
	setup(&c, &r, 3);
	c.freeze_ns = 0;
	loom_reps_on_timeout(&r, &c, 10);
	assert_false(r.frozen);
	c.freeze_ns = 1000;
	loom_reps_on_timeout(&r, &c, 10);
	assert_true(r.frozen);
	assert_int_equal(loom_reps_next(&r, &c, 11), draw(&x, 1024));
	assert_int_equal(r.st.frozen_sends, 0);
}

/* The default: an EV is dropped at its second mark in a row, or its third
 * where the flow's paths all mark. */
static void test_default_two_strikes(void **state)
{
	struct loom_reps_cfg c;

	(void)state;
	loom_reps_default(&c, 1024);
	assert_int_equal(c.strikes, 2);
	assert_int_equal(c.strikes_max, 3);
}

/* strikes 2 .. 3: with few marks two in a row drop an EV; after 12 marked
 * returns in a row on other EVs the flow's share is 0.31 (0.31^2 > 1/16,
 * 0.31^3 < 1/16) and it takes three; unmarked returns bring it back. */
static void test_strikes_follow_the_marked_share(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;

	(void)state;
	setup(&c, &r, 19);
	c.strikes = 2;
	c.strikes_max = 3;
	loom_reps_on_ack(&r, &c, 1, true, 0);
	loom_reps_on_ack(&r, &c, 1, true, 1);
	assert_int_equal(r.st.marked, 1);
	for (uint16_t ev = 100; ev < 110; ev++)
		loom_reps_on_ack(&r, &c, ev, true, 2);
	assert_int_equal(r.st.forgiven, 11);
	assert_true(r.mark_share > 65536 / 4 && r.mark_share < 65536 * 2 / 5);
	loom_reps_on_ack(&r, &c, 2, true, 3);
	loom_reps_on_ack(&r, &c, 2, true, 4); /* two: kept */
	assert_int_equal(r.st.marked, 1);
	assert_int_equal(r.st.forgiven, 13);
	loom_reps_on_ack(&r, &c, 2, true, 5); /* three: dropped */
	assert_int_equal(r.st.marked, 2);
	for (uint16_t ev = 200; ev < 240; ev++)
		loom_reps_on_ack(&r, &c, ev, false, 6);
	assert_true(r.mark_share < 65536 / 4);
	loom_reps_on_ack(&r, &c, 3, true, 7);
	loom_reps_on_ack(&r, &c, 3, true, 8); /* two again */
	assert_int_equal(r.st.marked, 3);
}

/* strikes 2: a first mark is forgiven (the EV is recycled), a second in a
 * row drops it; an unmarked return in between starts the count again. */
static void test_two_marks_in_a_row_drop(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;
	uint64_t x = 11;

	(void)state;
	setup(&c, &r, 11);
	c.strikes = c.strikes_max = 2;
	loom_reps_on_ack(&r, &c, 50, true, 0);
	assert_int_equal(r.st.forgiven, 1);
	assert_int_equal(loom_reps_fresh(&r), 1);
	assert_int_equal(loom_reps_next(&r, &c, 1), 50);
	loom_reps_on_ack(&r, &c, 50, true, 2); /* second in a row: dropped */
	assert_int_equal(r.st.marked, 1);
	assert_int_equal(loom_reps_fresh(&r), 0);
	assert_int_equal(loom_reps_next(&r, &c, 3), draw(&x, 1024));
	/* 60: marked, good, marked: never two in a row, never dropped */
	loom_reps_on_ack(&r, &c, 60, true, 4);
	assert_int_equal(loom_reps_next(&r, &c, 5), 60);
	loom_reps_on_ack(&r, &c, 60, false, 6);
	assert_int_equal(loom_reps_next(&r, &c, 7), 60);
	loom_reps_on_ack(&r, &c, 60, true, 8);
	assert_int_equal(loom_reps_next(&r, &c, 9), 60);
	assert_int_equal(r.st.forgiven, 3);
	assert_int_equal(r.st.good, 1);
	assert_int_equal(r.st.marked, 1);
	/* a dropped EV drawn again later starts clean */
	loom_reps_on_ack(&r, &c, 50, true, 10);
	assert_int_equal(r.st.forgiven, 4);
	assert_int_equal(loom_reps_next(&r, &c, 11), 50);
}

/* strikes 3: dropped at the third mark in a row; a NACK drops the EV and
 * clears its count, so its next mark is a first one. */
static void test_three_strikes_and_nack_clears(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;

	(void)state;
	setup(&c, &r, 13);
	c.strikes = c.strikes_max = 3;
	loom_reps_on_ack(&r, &c, 70, true, 0);
	loom_reps_on_ack(&r, &c, 70, true, 1);
	assert_int_equal(r.st.forgiven, 2);
	assert_int_equal(r.st.marked, 0);
	loom_reps_on_ack(&r, &c, 70, true, 2);
	assert_int_equal(r.st.marked, 1);
	assert_int_equal(loom_reps_fresh(&r), 2); /* the two forgiven returns */
	loom_reps_on_ack(&r, &c, 80, true, 3);
	loom_reps_on_ack(&r, &c, 80, true, 4);
	loom_reps_on_nack(&r, &c, 80, 5);
	loom_reps_on_ack(&r, &c, 80, true, 6); /* counts one again */
	assert_int_equal(r.st.marked, 1);
	assert_int_equal(r.st.forgiven, 5);
	assert_int_equal(r.st.nacked, 1);
}

/* The counts are kept per slot (the EV's low bits): EVs 1024 apart share
 * one, so the second's first mark is taken as the other's second. */
static void test_strike_slots_shared(void **state)
{
	struct loom_reps_cfg c;
	struct loom_reps r;

	(void)state;
	setup(&c, &r, 17);
	c.strikes = c.strikes_max = 2;
	loom_reps_on_ack(&r, &c, 5, true, 0);
	loom_reps_on_ack(&r, &c, 5 + LOOM_REPS_STRIKE_SLOTS, true, 1);
	assert_int_equal(r.st.forgiven, 1);
	assert_int_equal(r.st.marked, 1);
	loom_reps_on_ack(&r, &c, 6, true, 2); /* its neighbour's slot is its own */
	assert_int_equal(r.st.forgiven, 2);
	/* more than 3 is read as 3 (the counters' 2 bits) */
	c.strikes = c.strikes_max = 7;
	loom_reps_on_ack(&r, &c, 9, true, 3);
	loom_reps_on_ack(&r, &c, 9, true, 3);
	loom_reps_on_ack(&r, &c, 9, true, 3);
	assert_int_equal(r.st.marked, 2);
	assert_int_equal(r.st.forgiven, 4);
	/* strikes 0 is read as 1 */
	c.strikes = 0;
	c.strikes_max = 1;
	loom_reps_on_ack(&r, &c, 7, true, 3);
	assert_int_equal(r.st.marked, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explores_when_empty),
		cmocka_unit_test(test_recycles_unmarked_in_order),
		cmocka_unit_test(test_drops_marked_and_nacked),
		cmocka_unit_test(test_full_buffer_keeps_newest),
		cmocka_unit_test(test_deterministic_with_seed),
		cmocka_unit_test(test_seed_zero),
		cmocka_unit_test(test_freeze_on_timeout),
		cmocka_unit_test(test_no_freeze_and_frozen_empty),
		cmocka_unit_test(test_default_two_strikes),
		cmocka_unit_test(test_strikes_follow_the_marked_share),
		cmocka_unit_test(test_two_marks_in_a_row_drop),
		cmocka_unit_test(test_three_strikes_and_nack_clears),
		cmocka_unit_test(test_strike_slots_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
