/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Max-min fair rates on small two-tier Clos fabrics, computed by hand
 * (progressive filling, rates in Gb/s; host links 10 each way).
 *
 * A. Two levels. leaf0: h0 h1, leaf1: h2 h3, leaf up/down 20 each.
 *    f1 h0->h2, f2 h1->h2, f3 h3->h2 (under leaf1), f4 h1->h3.
 *    Resources and their flows: tx0{f1} tx1{f2,f4} tx3{f3}
 *    rx2{f1,f2,f3} rx3{f4} up0{f1,f2,f4}=20 down1{f1,f2,f4}=20.
 *    Step 1, shares: rx2 10/3, tx1 5, up0/down1 20/3, others 10:
 *      raise all to 10/3; rx2 is full: f1 f2 f3 frozen at 10/3.
 *    Step 2, f4 alone: tx1 has 10 - 10/3 = 20/3 left, rx3 10 - 10/3,
 *      up0 20 - 10 = 10: raise f4 by 10/3 to 20/3; tx1 full.
 *    => f1 = f2 = f3 = 3.333, f4 = 6.667.
 *
 * B. Oversubscribed 2:1 (leaf up/down 10), cross-leaf permutation
 *    h0->h2 h1->h3 h2->h0 h3->h1: up0 and up1 each carry two flows:
 *    10/2 = 5 each, half the host link: what perfect load balancing
 *    allows; and h0->h1 added under leaf0 takes h0's remaining 5 (tx0:
 *    10 - 5) -- rx1 has 10 - 5 = 5 too.
 *
 * C. Demands: h0->h2 capped at 2 and h0->h3 uncapped share tx0:
 *    the first stops at 2, the second gets 10 - 2 = 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>

#include <cmocka.h>

#include "loom/traffic/maxmin.h"

#define G 1e9

static const uint32_t leaf_of[] = {0, 0, 1, 1};
static const double host10[] = {10 * G, 10 * G, 10 * G, 10 * G};

static void near(double a, double b)
{
	if (fabs(a - b) > 1e-6 * b)
		fail_msg("%.6f Gb/s != %.6f Gb/s", a / G, b / G);
}

static struct loom_flow_spec fl(uint32_t s, uint32_t d)
{
	return (struct loom_flow_spec){.src_host = s, .dst_host = d};
}

static void test_two_levels(void **state)
{
	static const double up[] = {20 * G, 20 * G};
	const struct loom_clos_capacity m = {4, leaf_of, host10, host10, 2, up, up};
	const struct loom_flow_spec f[] = {fl(0, 2), fl(1, 2), fl(3, 2), fl(1, 3)};
	double r[4];

	(void)state;
	assert_int_equal(loom_maxmin_clos(&m, f, 4, r), 0);
	near(r[0], 10 * G / 3);
	near(r[1], 10 * G / 3);
	near(r[2], 10 * G / 3);
	near(r[3], 20 * G / 3);
}

static void test_oversubscribed_permutation(void **state)
{
	static const double up[] = {10 * G, 10 * G};
	const struct loom_clos_capacity m = {4, leaf_of, host10, host10, 2, up, up};
	const struct loom_flow_spec f[] = {fl(0, 2), fl(1, 3), fl(2, 0), fl(3, 1), fl(0, 1)};
	double r[5];

	(void)state;
	assert_int_equal(loom_maxmin_clos(&m, f, 4, r), 0);
	for (int i = 0; i < 4; i++)
		near(r[i], 5 * G);
	assert_int_equal(loom_maxmin_clos(&m, f, 5, r), 0);
	for (int i = 0; i < 4; i++)
		near(r[i], 5 * G);
	near(r[4], 5 * G);
}

static void test_demands(void **state)
{
	static const double up[] = {20 * G, 20 * G};
	const struct loom_clos_capacity m = {4, leaf_of, host10, host10, 2, up, up};
	struct loom_flow_spec f[] = {fl(0, 2), fl(0, 3)};
	double r[2];

	(void)state;
	f[0].rate_bps = 2000000000ull;
	assert_int_equal(loom_maxmin_clos(&m, f, 2, r), 0);
	near(r[0], 2 * G);
	near(r[1], 8 * G);
}

static void test_bad_input(void **state)
{
	static const double up[] = {20 * G, 20 * G};
	const struct loom_clos_capacity m = {4, leaf_of, host10, host10, 2, up, up};
	const struct loom_flow_spec f[] = {fl(0, 9)};
	const struct loom_maxmin_flow unbounded = {.n_res = 0};
	double cap = 1, r;

	(void)state;
	assert_int_equal(loom_maxmin_clos(&m, f, 1, &r), -EINVAL);
	assert_int_equal(loom_maxmin_solve(&cap, 1, &unbounded, 1, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_levels),
		cmocka_unit_test(test_oversubscribed_permutation),
		cmocka_unit_test(test_demands),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
