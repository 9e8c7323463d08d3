/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NSCC-style window controller, values by hand. The set-up: payload 1000
 * bytes, a rate of 8 Gb/s (one byte per ns, so the BDP in bytes is the
 * base RTT in ns), base RTT 10 000 ns: BDP 10 000 bytes = the initial
 * window, max 15 000 (1.5 BDP), target queueing delay 7 500 ns (3/4 of
 * the base RTT), fast increase below 500 ns, proportional increase 1 250
 * bytes per window at zero delay (BDP / 8), fair increase 1 000 (one mss),
 * quick adapt above 30 000 ns of delay (4 x target), min window 125 bytes
 * (mss / 8), paced below 1 000 (one mss); srtt starts at the base RTT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loom/cc/cc_params.h"
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

/* At line rate (an ACK every 500 ns, 1/20 of the base RTT), one marked
 * sample from spreading's tail (q 15000 after samples of 2500) moves the
 * average to 2500 + 0.05 x 12500 = 3125: below target, no cut and no
 * increase (UEC's no-op); a standing queue of such samples lifts it past
 * the target at the tenth (7515.79): cut by 0.8 x 15.79 / 7515.79 ->
 * 10000 x 0.99832 = 9983; the next, of a packet sent before that cut,
 * does not cut again. (pi_bytes 1: the first four add 0.27 byte.) */
static void test_tail_sample_no_cut(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;
	loom_time_ns t = 100000;

	(void)state;
	setup(&c, &s);
	c.pi_bytes = 1;
	for (int k = 0; k < 4; k++, t += 500)
		loom_nscc_on_ack(&s, &c, 1000, false, t - 12500, t);
	assert_int_equal(s.cwnd, 10000);
	t = 102000;
	loom_nscc_on_ack(&s, &c, 1000, true, t - 25000, t);
	assert_int_equal(s.last_qdelay, 15000);
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.cwnd, 10000);
	assert_int_equal(s.increases_fi + s.increases_pi, 4);
	for (int k = 1; k <= 8; k++) {
		t += 500;
		loom_nscc_on_ack(&s, &c, 1000, true, t - 25000, t);
	}
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.cwnd, 10000);
	t += 500;
	loom_nscc_on_ack(&s, &c, 1000, true, t - 25000, t);
	assert_int_equal(s.cuts, 1);
	assert_int_equal(s.cwnd, 9983);
	t += 500;
	loom_nscc_on_ack(&s, &c, 1000, true, t - 25000, t);
	assert_int_equal(s.cuts, 1);
	assert_int_equal(s.cwnd, 9983);
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

/* Both: q = 15000 (the first sample is the average), cut by min(0.8 x
 * 7500 / 15000, 0.5) = 0.4 -> 6000; an ACK of a packet sent before the
 * cut does not cut again; after it, a mark with q = 5000 < target (14000
 * ns after the last sample: it is the average) adds 1000 x 1000 / 6000 =
 * 166.67 (6166, 0.67 carried); q = 10000 with a mark 6000 ns later: the
 * average 5000 + 0.6 x 5000 = 8000 cuts by 0.8 x 500 / 8000 = 0.05:
 * 6166 x 0.95 = 5857.7 -> 5857. */
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
	assert_int_equal(s.cwnd, 5857);
	/* the largest cut is max_md = 0.5: q = 1 000 000 (a base RTT and more
	 * after the last: the average) -> 0.8 x 0.9925 -> 0.5 (quick adapt,
	 * which such a delay would trigger, set further off) */
	c.qa_delay = 2000000;
	loom_nscc_on_ack(&s, &c, 1000, true, 46000, 46000 + 10000 + 1000000);
	assert_int_equal(s.cwnd, 2928);
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
 * is the smallest sample (12000, then 10000). A fair increase of 100000
 * bytes per window is at most what the ACK acknowledged: +1000. */
static void test_measured_base_rtt(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	loom_nscc_default(&c, 1000, 8000000000ull);
	loom_nscc_init(&s, &c);
	assert_int_equal(s.cwnd, 10000);
	assert_int_equal(s.base_rtt, 0);
	assert_true(loom_nscc_max_cwnd(&s, &c) == UINT64_MAX);
	c.fi_bytes = 100000;
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 12000); /* q 0, marked: fair, +1000 */
	assert_int_equal(s.base_rtt, 12000);
	assert_int_equal(s.srtt, 12000);
	assert_int_equal(s.cwnd, 11000);
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 18000); /* 1.5 x 12000 */
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 15000);
	assert_int_equal(s.base_rtt, 12000);
	assert_int_equal(s.last_qdelay, 3000);
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 10000);
	assert_int_equal(s.base_rtt, 10000);
}

/* The cap follows the RTT: samples of 40 000 ns (q 30 000, no mark:
 * fair increase, no cut; not above qa_delay) move srtt 10000 -> 13750
 * (-1250 + 5000): cap still 1.5 BDP (15000); -> 17032 (-1718 + 5000):
 * cap 17032; -> 19903 (-2129 + 5000): held at the BDP of base + target
 * (17500). A configured max_cwnd stays. */
static void test_cap_follows_rtt(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 15000);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 40000);
	assert_int_equal(s.srtt, 13750);
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 15000);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 40000);
	assert_int_equal(s.srtt, 17032);
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 17032);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 40000);
	assert_int_equal(s.srtt, 19903);
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 17500);
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.quick_adapts, 0);
	c.max_cwnd = 12000;
	assert_int_equal(loom_nscc_max_cwnd(&s, &c), 12000);
}

/* Quick adapt on a NACK (pi_bytes 1: the increases stay below a byte);
 * its interval is base RTT + target = 17500 ns. ACKs every 2000 ns from
 * 10000 (the interval starts) to 26000, each with 4000 ns of queue (above
 * qa_trim_delay, target / 2 = 3750): 9000 bytes; a NACK at 27000 marks
 * the interval; the ACK at 30000 (10000 bytes in 20000 ns) ends it: the
 * window becomes 10000 x 10000 / 20000 = 5000 (per base RTT). A NACK and
 * a marked ACK with a queue above target, both of packets sent before
 * 30000, do nothing; a fresh marked ACK below target (q 4000) adds 1000
 * x 1000 / 5000. Two NACKs in the next interval (from 50000) adapt once,
 * at 70000, to its 2000 bytes over 20000 ns: 1000. A NACK after a sample
 * without queue (spreading's collision) does not quick-adapt. */
static void test_quick_adapt_on_nack(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	c.pi_bytes = 1;
	for (loom_time_ns t = 10000; t <= 26000; t += 2000)
		loom_nscc_on_ack(&s, &c, 1000, false, t - 14000, t);
	loom_nscc_on_nack(&s, &c, 25000, 27000);
	assert_int_equal(s.cwnd, 10000);
	assert_int_equal(s.nacks, 1);
	loom_nscc_on_ack(&s, &c, 1000, false, 20000, 30000);
	assert_int_equal(s.cwnd, 5000);
	assert_int_equal(s.quick_adapts, 1);
	loom_nscc_on_nack(&s, &c, 25000, 31000);       /* sent before: no mark */
	loom_nscc_on_ack(&s, &c, 1000, true, 29000, 50000); /* q 11000 > target: stale */
	assert_int_equal(s.cwnd, 5000);
	assert_int_equal(s.cuts, 0);
	assert_int_equal(s.quick_adapts, 1);
	loom_nscc_on_ack(&s, &c, 1000, true, 37000, 51000);
	assert_int_equal(s.cwnd, 5200);
	loom_nscc_on_nack(&s, &c, 51000, 52000);
	loom_nscc_on_nack(&s, &c, 51500, 55000);
	assert_int_equal(s.cwnd, 5200);
	loom_nscc_on_ack(&s, &c, 1000, false, 60000, 70000);
	assert_int_equal(s.quick_adapts, 2);
	assert_int_equal(s.cwnd, 1000);
	assert_int_equal(s.nacks, 4);
	loom_nscc_on_nack(&s, &c, 69000, 71000); /* the last sample: q 0 */
	loom_nscc_on_ack(&s, &c, 1000, false, 80000, 91000);
	assert_int_equal(s.quick_adapts, 2);
	assert_int_equal(s.cwnd, 1000);
}

/* A path shorter than the base RTT: samples of 5000 ns make it the floor
 * (q 0 above it) and scale increases by (5000 / 10000)^2: a marked ACK's
 * fair increase 1000 x 1000 / 10000 = 100 becomes 25. */
static void test_short_path(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	loom_nscc_on_ack(&s, &c, 1000, true, 0, 5000);
	assert_int_equal(s.min_rtt, 5000);
	assert_int_equal(s.last_qdelay, 0);
	assert_int_equal(s.cwnd, 10025);
	loom_nscc_on_ack(&s, &c, 1000, true, 2000, 15000); /* q 8000 above 5000: marked, >= target: a cut */
	assert_int_equal(s.last_qdelay, 8000);
	assert_int_equal(s.cuts, 1);
}

/* Quick adapt on a delay above 30000, to below one packet, then paced:
 * an ACK at 10000 (q 0; srtt stays 10000), one at 50000 of a packet sent
 * at 9000 (q 31000): 2000 bytes over 40000 ns = 500 per base RTT; srtt
 * 10000 - 1250 + 5125 = 13875; a 1000-byte packet every 1000 x 13875 /
 * 500 = 27750 ns. At 10000 bytes (above pace_cwnd), or pace_cwnd 0: no
 * pacing. The window never goes below min_cwnd (125). */
static void test_quick_adapt_on_delay_and_pacing(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;

	(void)state;
	setup(&c, &s);
	c.pi_bytes = 1;
	assert_int_equal(loom_nscc_pace_gap(&s, &c, 1000), 0);
	loom_nscc_on_ack(&s, &c, 1000, false, 0, 10000);
	loom_nscc_on_ack(&s, &c, 1000, false, 9000, 50000);
	assert_int_equal(s.quick_adapts, 1);
	assert_int_equal(s.cwnd, 500);
	assert_int_equal(s.srtt, 13875);
	assert_int_equal(loom_nscc_pace_gap(&s, &c, 1000), 27750);
	c.pace_cwnd = 0;
	assert_int_equal(loom_nscc_pace_gap(&s, &c, 1000), 0);
	/* 1000 bytes over 1 000 000 ns: 10, floored at 125 */
	loom_nscc_on_ack(&s, &c, 1000, false, 60000, 1060000);
	assert_int_equal(s.quick_adapts, 2);
	assert_int_equal(s.cwnd, 125);
}

/* start_at_cap: the first window is the cap, 1.5 BDP (or max_cwnd), as
 * htsim's NSCC sources start; without a base RTT it is the usual start;
 * with init_cwnd too, the parameters are refused. */
static void test_start_at_cap(void **state)
{
	struct loom_nscc_cfg c;
	struct loom_nscc s;
	struct loom_cc_params ps = {0};
	const char *why;

	(void)state;
	loom_nscc_default(&c, 1000, 8000000000ull);
	c.base_rtt = 10000;
	c.start_at_cap = true;
	loom_nscc_init(&s, &c);
	assert_int_equal(s.cwnd, 15000);
	c.max_cwnd = 12000;
	loom_nscc_init(&s, &c);
	assert_int_equal(s.cwnd, 12000);
	c.max_cwnd = 0;
	c.base_rtt = 0;
	loom_nscc_init(&s, &c);
	assert_int_equal(s.cwnd, 10000); /* 10 mss */

	loom_cc_params_set(&ps, LOOM_CC_START_AT_CAP, 1);
	loom_nscc_default(&c, 1000, 8000000000ull);
	assert_int_equal(loom_cc_params_apply_nscc(&ps, &c, &why), 0);
	assert_true(c.start_at_cap);
	loom_cc_params_set(&ps, LOOM_CC_INIT_CWND, 20000);
	assert_int_not_equal(loom_cc_params_apply_nscc(&ps, &c, &why), 0);
	assert_non_null(strstr(why, "start_at_cap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_without_delay_no_cut),
		cmocka_unit_test(test_delay_without_mark_no_cut),
		cmocka_unit_test(test_tail_sample_no_cut),
		cmocka_unit_test(test_cut_when_both_once_per_window),
		cmocka_unit_test(test_proportional_increase),
		cmocka_unit_test(test_fast_increase_and_cap),
		cmocka_unit_test(test_measured_base_rtt),
		cmocka_unit_test(test_cap_follows_rtt),
		cmocka_unit_test(test_quick_adapt_on_nack),
		cmocka_unit_test(test_quick_adapt_on_delay_and_pacing),
		cmocka_unit_test(test_short_path),
		cmocka_unit_test(test_start_at_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
