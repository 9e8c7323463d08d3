/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DCTCP window controller, values by hand (MSS 1000, initial window
 * 10 000 bytes, alpha 1, g = 1/16):
 *  - alpha: F = marked / acked bytes over one window, EWMA with g;
 *  - one cut per window: cwnd (1 - alpha/2), further ECE ignored until
 *    the ACK passes what had been sent at the cut;
 *  - slow start, then +1 MSS per window of ACKed bytes; the minimum window;
 *  - old ACKs change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "loom/cc/dctcp.h"

static void test_alpha_ewma(void **state)
{
	struct loom_dctcp_cfg c;
	struct loom_dctcp s;
	double a;

	(void)state;
	loom_dctcp_default(&c, 1000);
	assert_true(c.g == 1.0 / 16);
	c.min_cwnd = 1000;
	loom_dctcp_init(&s, &c);
	/* the first ACK opens the window ending at snd_nxt = 10000 */
	loom_dctcp_on_ack(&s, &c, 1000, false, 10000);
	assert_int_equal(s.window_end, 10000);
	assert_int_equal(s.alpha_updates, 0);
	/* 2000..10000: nine ACKs, three with ECE (3000 bytes marked) */
	for (uint64_t a = 2000; a <= 10000; a += 1000)
		loom_dctcp_on_ack(&s, &c, a, a == 4000 || a == 5000 || a == 6000, 20000);
	assert_int_equal(s.alpha_updates, 0);
	/* 11000 passes the window end: F = 3000 / 10000 (2000..11000) */
	loom_dctcp_on_ack(&s, &c, 11000, false, 20000);
	assert_int_equal(s.alpha_updates, 1);
	a = 15.0 / 16 + 0.3 / 16;
	assert_true(fabs(s.alpha - a) < 1e-12);
	assert_int_equal(s.window_end, 20000);
	/* a window without marks: alpha decays by 15/16 */
	for (uint64_t x = 12000; x <= 21000; x += 1000)
		loom_dctcp_on_ack(&s, &c, x, false, 30000);
	assert_int_equal(s.alpha_updates, 2);
	assert_true(fabs(s.alpha - a * 15 / 16) < 1e-12);
}

static void test_cut_once_per_window(void **state)
{
	struct loom_dctcp_cfg c;
	struct loom_dctcp s;
	uint64_t w;

	(void)state;
	loom_dctcp_default(&c, 1000);
	loom_dctcp_init(&s, &c);
	loom_dctcp_on_ack(&s, &c, 1000, false, 10000);
	assert_int_equal(s.cwnd, 11000); /* slow start: +1000 */
	/* ECE with alpha = 1: cwnd 11000 -> 5500; CWR until the ACK passes 20000 */
	loom_dctcp_on_ack(&s, &c, 2000, true, 20000);
	assert_int_equal(s.cwnd, 5500);
	assert_int_equal(s.ssthresh, 5500);
	assert_int_equal(s.cuts, 1);
	for (uint64_t a = 3000; a <= 20000; a += 1000)
		loom_dctcp_on_ack(&s, &c, a, true, 25000);
	assert_int_equal(s.cuts, 1);
	assert_int_equal(s.cwnd, 5500); /* no growth in CWR either */
	/* 21000 > 20000: out of CWR; its ECE cuts again with the alpha of
	 * now (updated at 11000 and 21000 with all bytes marked: still 1) */
	loom_dctcp_on_ack(&s, &c, 21000, true, 30000);
	assert_int_equal(s.cuts, 2);
	assert_true(fabs(s.alpha - 1.0) < 1e-12);
	assert_int_equal(s.cwnd, 2750);
	/* down to the minimum (2 MSS), never below */
	for (uint64_t a = 31000, nxt = 40000; a < 200000; a += 10000, nxt += 10000)
		loom_dctcp_on_ack(&s, &c, a, true, nxt);
	assert_int_equal(s.cwnd, 2000);
	/* congestion avoidance: cwnd 2000 = ssthresh, +1 MSS per 2000 bytes
	 * acked, then per 3000 */
	w = s.cwnd;
	loom_dctcp_on_ack(&s, &c, 201000, false, 300000); /* passes 200000: leaves CWR */
	assert_false(s.in_cwr);
	/* 10 000 acked bytes: 2000 -> 3000 (uses 2000), -> 4000 (3000),
	 * -> 5000 (4000), 1000 left toward the next */
	assert_int_equal(s.cwnd, w + 3000);
	/* old ACKs change nothing */
	loom_dctcp_on_ack(&s, &c, 150000, true, 300000);
	assert_int_equal(s.cwnd, w + 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alpha_ewma),
		cmocka_unit_test(test_cut_once_per_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
