/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NSCC-style window controller, values by hand. The set-up: payload 1000
 * bytes, a rate of 8 Gb/s (one byte per ns, so the BDP in bytes is the
 * base RTT in ns), base RTT 10 000 ns: BDP 10 000 bytes = the initial
 * window, max 15 000 (1.5 BDP), target queueing delay 7 500 ns (3/4 of
 * the base RTT), fast increase below 500 ns, proportional increase 1 250
 * bytes per window at zero delay (BDP / 8), fair increase 1 000 (one mss).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/cc/nscc.h"

static void setup(struct loom_nscc_cfg *c, struct loom_nscc *s)
{
	loom_nscc_default(c, 1000, 8000000000ull);
	c->base_rtt = 10000;
	loom_nscc_init(s, c);
	assert_int_equal(loom_nscc_bdp(s, c), 10000);
	assert_int_equal(loom_nscc_target(s, c), 7500);
	assert_int_equal(s->cwnd, 10000);
}

/* A mark with the queue below target (per-packet spreading's transient
 * queue): no cut, the fair increase 1000 x 1000 / 10000 = 100 bytes. */
static void test_mark_without_delay_no_cut(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 10000 + 7499);
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.cwnd, 10100);
	assert_int_equal(s.increases_fi, 1);
}

/* Delay above target without a mark: fair increase too (no cut). */
static void test_delay_without_mark_no_cut(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 25000);
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.cwnd, 10100);
	assert_int_equal(s.last_qdelay, 15000);
}

/* Both: q = 15000, cut by min(0.8 x 7500 / 15000, 0.5) = 0.4 -> 6000;
 * an ACK of a packet sent before the cut does not cut again; after it,
 * a mark with q = 5000 < target adds 1000 x 1000 / 6000 = 166.67 (6166,
 * 0.67 carried); q = 10000 with a mark cuts by 0.8 x 2500 / 10000 = 0.2:
 * 6166 x 0.8 = 4932.8 -> 4932. */
static void test_cut_when_both_once_per_window(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 25000);
	assert_int_equal(s.cuts, 1);
	assert_int_equal(s.cwnd, 6000);
	loom_nscc_on_ack(&s, &c, 1000, true, 1000, 26000); /* sent before the cut */
	assert_int_equal(s.cuts, 1);
	assert_int_equal(s.cwnd, 6000);
	loom_nscc_on_ack(&s, &c, 1000, true, 25000, 40000);
	assert_int_equal(s.cwnd, 6166);
	loom_nscc_on_ack(&s, &c, 1000, true, 26000, 46000);
	assert_int_equal(s.cuts, 2);
	assert_int_equal(s.cwnd, 4932);
	/* the largest cut is max_md = 0.5: q = 1 000 000 -> 0.8 x 0.9925 -> 0.5 */
	loom_nscc_on_ack(&s, &c, 1000, true, 46000, 46000 + 10000 + 1000000);
	assert_int_equal(s.cwnd, 2466);
}

/* No mark, q = 2500: 1250 x (7500 - 2500) / 7500 = 833.33 per window,
 * x 1000 / 10000 = 83.33 per ACK -> 10083; then 833.33 x 1000 / 10083 =
 * 82.65 + 0.33 carried = 82.98 -> 10165. */
static void test_proportional_increase(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 12500);
	assert_int_equal(s.cwnd, 10083);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 12500);
	assert_int_equal(s.cwnd, 10165);
	assert_int_equal(s.increases_pi, 2);
}

/* Fast increase: with pi_bytes 1 (0.1 byte per ACK, nine ACKs carry 0.9),
 * the tenth ACK at the base RTT completes a window (10000 bytes) at it:
 * +1000; the eleventh: 11000 >= 11000, +1000 again; a sample 600 ns
 * above the base (> 500) ends it; the window never passes 15000. */
static void test_fast_increase_and_cap(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	loom_nscc_default(&c, 1000, 8000000000ull);
	c.base_rtt = 10000;
	c.pi_bytes = 1;
	loom_nscc_init(&s, &c);
	for (int i = 0; i < 9; i++)
		loom_nscc_on_ack(&s, &c, 1000, false, 0, 10000);
	assert_int_equal(s.cwnd, 10000);
	assert_int_equal(s.increases_fast, 0);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 10500);
	assert_int_equal(s.cwnd, 11000);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 10000);
	assert_int_equal(s.cwnd, 12000);
	assert_int_equal(s.increases_fast, 2);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 10600);
	assert_int_equal(s.near_base_bytes, 0);
	assert_int_equal(s.cwnd, 12000);
	for (int i = 0; i < 40; i++)
		loom_nscc_on_ack(&s, &c, 1000, false, 0, 10000);
	assert_int_equal(s.cwnd, 15000);
}

/* Without a configured base RTT: 10 packets at first, no cap; the base
 * is the smallest sample (12000, then 10000) and the cap follows it. */
static void test_measured_base_rtt(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	loom_nscc_default(&c, 1000, 8000000000ull);
	loom_nscc_init(&s, &c);
	assert_int_equal(s.cwnd, 10000);
	assert_int_equal(s.base_rtt, 0);
	c.fi_bytes = 100000;
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 12000); /* q 0, marked: fair +10000 */
	assert_int_equal(s.base_rtt, 12000);
	assert_int_equal(s.cwnd, 18000); /* capped at 1.5 x 12000 */
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 15000);
	assert_int_equal(s.base_rtt, 12000);
	assert_int_equal(s.last_qdelay, 3000);
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 10000);
	assert_int_equal(s.base_rtt, 10000);
	assert_int_equal(s.cwnd, 15000);
}

/* A NACK takes one packet off the window, down to min_cwnd (1000). */
static void test_nack_takes_a_packet(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_nack(&s, &c);
	assert_int_equal(s.cwnd, 9000);
	for (int i = 0; i < 20; i++)
		loom_nscc_on_nack(&s, &c);
	assert_int_equal(s.cwnd, 1000);
	assert_int_equal(s.nacks, 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_without_delay_no_cut),
		cmocka_unit_test(test_delay_without_mark_no_cut),
		cmocka_unit_test(test_cut_when_both_once_per_window),
		cmocka_unit_test(test_proportional_increase),
		cmocka_unit_test(test_fast_increase_and_cap),
		cmocka_unit_test(test_measured_base_rtt),
		cmocka_unit_test(test_nack_takes_a_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
