/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DCQCN on a fake clock, every value computed by hand from the rules in
 * dcqcn.h:
 *  - defaults (HPCC's settings) and their scaling with the line rate;
 *  - the first CNP cuts by alpha / 2 = 1/2 at once; a CNP within 4 us of
 *    a cut waits for the interval to end and uses the alpha of then;
 *  - alpha: +g per interval with a CNP, decay (1 - g)^k over k quiet ones,
 *    also across a long gap;
 *  - recovery: fast recovery, additive, hyper increase on the timer
 *    (F = 1), and with a byte counter (F = 5, both counters);
 *  - back at line rate: no more events; the minimum rate holds;
 *  - NP: one CNP per interval per flow, only for CE packets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "loom/clock.h"
#include "loom/cc/dcqcn.h"

#define G25 25000000000.0
#define US LOOM_NS_PER_US

static void assert_near(double a, double b)
{
	if (fabs(a - b) > 1e-6 * (fabs(b) + 1))
		fail_msg("%.9g != %.9g", a, b);
}

static void test_defaults(void **state)
{
	struct loom_dcqcn_cfg c;

	(void)state;
	loom_dcqcn_default(&c, 25000000000ull);
	assert_int_equal(loom_dcqcn_cfg_check(&c), 0);
	assert_int_equal(c.rate_ai_bps, 5000000);
	assert_int_equal(c.rate_hai_bps, 50000000);
	assert_int_equal(c.min_rate_bps, 1000000000);
	assert_int_equal(c.alpha_interval_ns, 1 * US);
	assert_int_equal(c.decrease_interval_ns, 4 * US);
	assert_int_equal(c.increase_timer_ns, 300 * US);
	assert_int_equal(c.fast_recovery_steps, 1);
	assert_true(c.g == 1.0 / 256);
	loom_dcqcn_default(&c, 100000000000ull);
	assert_int_equal(c.rate_ai_bps, 20000000);
	assert_int_equal(c.rate_hai_bps, 200000000);
	c.min_rate_bps = c.line_rate_bps + 1;
	assert_int_not_equal(loom_dcqcn_cfg_check(&c), 0);
}

static void test_cut_and_pending_cut(void **state)
{
	struct loom_fake_clock fc;
	struct loom_dcqcn_cfg c;
	struct loom_dcqcn_rp rp;
	double g, a;

	(void)state;
	loom_fake_clock_init(&fc, 1000 * US);
	loom_dcqcn_default(&c, 25000000000ull);
	g = c.g;
	loom_dcqcn_rp_init(&rp, &c);
	assert_int_equal(loom_dcqcn_rp_rate(&rp), 25000000000ull);
	assert_true(loom_dcqcn_rp_next_event(&rp, &c) == LOOM_TIME_NEVER);

	/* t0: first CNP, alpha = 1: Rc = 25G (1 - 1/2); Rt stays 25G
	 * (no increase since a cut, target not clamped) */
	loom_dcqcn_rp_on_cnp(&rp, &c, loom_clock_now(&fc.clock));
	assert_near(rp.rc_bps, 12.5e9);
	assert_near(rp.rt_bps, G25);
	assert_int_equal(rp.st.cuts, 1);
	assert_true(loom_dcqcn_rp_next_event(&rp, &c) == 1300 * US); /* increase timer */

	/* t0 + 2 us: ticks at +1 (CNP seen: alpha = (1-g) + g = 1) and +2
	 * (quiet: alpha = 1 - g); a CNP now is inside the 4 us: pending */
	loom_fake_clock_advance(&fc, 2 * US);
	loom_dcqcn_rp_on_cnp(&rp, &c, loom_clock_now(&fc.clock));
	assert_near(rp.alpha, 1 - g);
	assert_int_equal(rp.st.cuts, 1);
	assert_near(rp.rc_bps, 12.5e9);
	assert_true(loom_dcqcn_rp_next_event(&rp, &c) == 1004 * US);

	/* t0 + 4 us: tick +3 (CNP: alpha = (1-g)^2 + g), tick +4 (quiet:
	 * times (1-g)), then the pending cut with that alpha */
	loom_fake_clock_advance(&fc, 2 * US);
	loom_dcqcn_rp_advance(&rp, &c, loom_clock_now(&fc.clock));
	a = ((1 - g) * (1 - g) + g) * (1 - g);
	assert_near(rp.alpha, a);
	assert_int_equal(rp.st.cuts, 2);
	assert_near(rp.rc_bps, 12.5e9 * (1 - a / 2));
	assert_true(rp.last_cut == 1004 * US);

	/* a long quiet gap: 1000 more ticks decay alpha by (1-g)^1000 */
	loom_fake_clock_advance(&fc, 1000 * US);
	loom_dcqcn_rp_advance(&rp, &c, loom_clock_now(&fc.clock));
	assert_near(rp.alpha, a * pow(1 - g, 1000));
}

static void test_recovery_timer(void **state)
{
	struct loom_dcqcn_cfg c;
	struct loom_dcqcn_rp rp;
	double rc, rt;

	(void)state;
	loom_dcqcn_default(&c, 25000000000ull);
	loom_dcqcn_rp_init(&rp, &c);
	loom_dcqcn_rp_on_cnp(&rp, &c, 0);
	rc = 12.5e9;
	rt = G25;
	/* +300 us: T = 0 < F = 1: fast recovery, Rc = (Rt + Rc) / 2 */
	loom_dcqcn_rp_advance(&rp, &c, 300 * US - 1);
	assert_near(rp.rc_bps, rc);
	loom_dcqcn_rp_advance(&rp, &c, 300 * US);
	rc = (rt + rc) / 2;
	assert_near(rp.rc_bps, rc);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_FAST_RECOVERY);
	/* a cut now clamps the target to the current rate (an increase
	 * happened since the last cut); the counters restart */
	loom_dcqcn_rp_on_cnp(&rp, &c, 310 * US);
	rt = rc;
	assert_near(rp.rt_bps, rt);
	assert_true(rp.alpha < 1.0);
	rc = rc * (1 - rp.alpha / 2);
	assert_near(rp.rc_bps, rc);
	/* events at 610 (FR), 910 (T = 1 = F: additive), 1210 (T = 2 > F: hyper) */
	loom_dcqcn_rp_advance(&rp, &c, 610 * US);
	rc = (rt + rc) / 2;
	assert_near(rp.rc_bps, rc);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_FAST_RECOVERY);
	loom_dcqcn_rp_advance(&rp, &c, 910 * US);
	rt += 5e6;
	rc = (rt + rc) / 2;
	assert_near(rp.rt_bps, rt);
	assert_near(rp.rc_bps, rc);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_ADDITIVE);
	loom_dcqcn_rp_advance(&rp, &c, 1210 * US);
	rt += 50e6;
	rc = (rt + rc) / 2;
	assert_near(rp.rt_bps, rt);
	assert_near(rp.rc_bps, rc);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_HYPER);
	assert_int_equal(rp.st.increases[LOOM_DCQCN_FAST_RECOVERY], 2);
	assert_int_equal(rp.st.increases[LOOM_DCQCN_ADDITIVE], 1);
	assert_int_equal(rp.st.increases[LOOM_DCQCN_HYPER], 1);
	/* hyper steps of 50 Mb/s bring it back to line rate; then nothing
	 * is left to wake up for */
	loom_dcqcn_rp_advance(&rp, &c, 2 * LOOM_NS_PER_S);
	assert_int_equal(loom_dcqcn_rp_rate(&rp), 25000000000ull);
	assert_true(loom_dcqcn_rp_next_event(&rp, &c) == LOOM_TIME_NEVER);
}

static void test_recovery_byte_counter(void **state)
{
	struct loom_dcqcn_cfg c;
	struct loom_dcqcn_rp rp;
	double rc = 12.5e9, rt = 12.5e9;

	(void)state;
	/* the DCQCN paper's F = 5 and 10 MB byte counter; target clamped on
	 * every cut, and two cuts (0 and 4 us), so that Rt = 12.5G and the
	 * additive step shows below the line rate */
	loom_dcqcn_default(&c, 25000000000ull);
	c.clamp_target = true;
	c.fast_recovery_steps = 5;
	c.byte_counter = 10000000;
	loom_dcqcn_rp_init(&rp, &c);
	loom_dcqcn_rp_on_cnp(&rp, &c, 0);
	loom_dcqcn_rp_on_cnp(&rp, &c, 4 * US);
	assert_near(rp.rt_bps, rt);
	rc = rp.rc_bps;
	assert_true(rc < rt);
	/* 5 byte-counter events (BC 0..4, T 0): fast recovery each */
	for (int i = 0; i < 5; i++) {
		loom_dcqcn_rp_on_send(&rp, &c, 10000000, (uint64_t)(i + 5) * US);
		rc = (rt + rc) / 2;
		assert_near(rp.rc_bps, rc);
		assert_int_equal(rp.last_increase, LOOM_DCQCN_FAST_RECOVERY);
	}
	/* 6th (BC = 5 = F, T = 0): additive */
	loom_dcqcn_rp_on_send(&rp, &c, 9999999, 10 * US);
	assert_int_equal(rp.st.increases[LOOM_DCQCN_ADDITIVE], 0); /* one byte short */
	loom_dcqcn_rp_on_send(&rp, &c, 1, 10 * US);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_ADDITIVE);
	rt += 5e6;
	rc = (rt + rc) / 2;
	assert_near(rp.rt_bps, rt);
	assert_near(rp.rc_bps, rc);
	/* timer events T = 0..5 with BC = 6: additive (min = T <= F) ... */
	for (int i = 1; i <= 6; i++) {
		loom_dcqcn_rp_advance(&rp, &c, 4 * US + (uint64_t)i * 300 * US);
		assert_int_equal(rp.last_increase, LOOM_DCQCN_ADDITIVE);
	}
	/* ... then with T = 6 and BC = 6 both past F: hyper */
	loom_dcqcn_rp_advance(&rp, &c, 4 * US + 7 * 300 * US);
	assert_int_equal(rp.last_increase, LOOM_DCQCN_HYPER);
}

static void test_min_rate(void **state)
{
	struct loom_dcqcn_cfg c;
	struct loom_dcqcn_rp rp;

	(void)state;
	loom_dcqcn_default(&c, 25000000000ull);
	loom_dcqcn_rp_init(&rp, &c);
	for (uint64_t t = 0; t < 400 * US; t += 4 * US)
		loom_dcqcn_rp_on_cnp(&rp, &c, t);
	assert_int_equal(loom_dcqcn_rp_rate(&rp), 1000000000ull);
	assert_true(rp.st.cuts >= 99);
}

static void test_np_pacing(void **state)
{
	struct loom_dcqcn_cfg c;
	struct loom_dcqcn_np np;

	(void)state;
	loom_dcqcn_default(&c, 25000000000ull);
	loom_dcqcn_np_init(&np);
	assert_false(loom_dcqcn_np_on_packet(&np, &c, false, 0));
	assert_true(loom_dcqcn_np_on_packet(&np, &c, true, 100));
	assert_false(loom_dcqcn_np_on_packet(&np, &c, true, 100 + US - 1));
	assert_true(loom_dcqcn_np_on_packet(&np, &c, true, 100 + US));
	assert_false(loom_dcqcn_np_on_packet(&np, &c, false, 100 + 5 * US));
	assert_int_equal(np.cnps, 2);
	assert_int_equal(np.ce_suppressed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cut_and_pending_cut),
		cmocka_unit_test(test_recovery_timer),
		cmocka_unit_test(test_recovery_byte_counter),
		cmocka_unit_test(test_min_rate),
		cmocka_unit_test(test_np_pacing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
