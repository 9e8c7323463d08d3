/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The credit scheduler of an egress port, with a fake clock:
 *  - DRR shares: four always-requesting VOQs with weights 1:2:3:4 get
 *    their share of the credits within 1 % of w / sum(w) (exactly, with
 *    fixed-size credits, after whole rounds);
 *  - no VOQ starves: with weights 1 and 100 among 50 VOQs, the weight-1
 *    VOQ gets a credit at least once every sum(weights) credits;
 *  - credits never exceed the port rate over any window: with the clock
 *    advancing in random steps (late calls), the credits issued in every
 *    window of W ns are at most rate * W / (8 * credit) + 1 when called
 *    at the due times (the long-run rate met to 0.01 %), + the catch-up
 *    limit when called late at random; called very late, the missed
 *    credits beyond the limit are lost;
 *  - an idle port banks nothing: after an idle spell a new request gets
 *    one credit at once and then one per interval;
 *  - a skipped credit time (egress port backlogged) moves the schedule on
 *    by one interval and grants nothing;
 *  - a request of 10 000 bytes gets three 4096-byte credits, then the VOQ
 *    leaves the round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

#include <cmocka.h>

#include "test_rng.h"

#include "loom/cell/credit_sched.h"

#define CREDIT 4096u
#define RATE 10000000000ull /* 10G: a credit every 3276.8 ns */

static void test_drr_shares(void **state)
{
	(void)state;
	struct loom_credit_sched cs;
	const uint32_t w[4] = {1, 2, 3, 4};
	uint64_t got[4] = {0};
	loom_time_ns t = 0;

	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 16, 0), 0);
	for (uint32_t v = 0; v < 4; v++)
		loom_credit_request(&cs, v, w[v], UINT64_MAX / 8, 0);
	for (uint32_t k = 0; k < 100003; k++) {
		uint32_t v;

		t = loom_credit_next_time(&cs);
		assert_true(loom_credit_next(&cs, t, &v));
		got[v]++;
	}
	for (uint32_t v = 0; v < 4; v++) {
		double share = got[v] / 100003.0, want = w[v] / 10.0;
		assert_true(fabs(share - want) / want < 0.01);
	}
	assert_int_equal(cs.credits, 100003);
	loom_credit_free(&cs);
}

static void test_no_starvation(void **state)
{
	(void)state;
	struct loom_credit_sched cs;
	uint32_t sum = 0, last_small = 0, max_gap = 0;

	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 64, 0), 0);
	for (uint32_t v = 0; v < 50; v++) {
		uint32_t wt = v == 0 ? 1 : v == 1 ? 100 : 1 + v % 7;

		loom_credit_request(&cs, v, wt, UINT64_MAX / 8, 0);
		sum += wt;
	}
	for (uint32_t k = 1; k <= 20 * sum; k++) {
		uint32_t v;

		assert_true(loom_credit_next(&cs, loom_credit_next_time(&cs), &v));
		if (v == 0) {
			if (k - last_small > max_gap)
				max_gap = k - last_small;
			last_small = k;
		}
	}
	assert_true(last_small > 0);
	assert_true(max_gap <= sum);
	assert_int_equal(cs.voq[0].granted, 20ull * CREDIT);
	loom_credit_free(&cs);
}

/* Credits granted at times `when`: no window of W ns starting at one
 * holds more than W / interval + 1 + slack. */
static void check_windows(const loom_time_ns *when, uint32_t n, double slack)
{
	const loom_time_ns windows[] = {1000, 3276, 3277, 10000, 100000, 1000000};

	for (unsigned int k = 0; k < sizeof(windows) / sizeof(windows[0]); k++) {
		loom_time_ns W = windows[k];
		double cap = (double)RATE * W / 1e9 / (8.0 * CREDIT) + 1 + slack;
		uint32_t j = 0;

		for (uint32_t i = 0; i < n; i++) {
			while (j < n && when[j] < when[i] + W)
				j++;
			assert_true(j - i <= cap + 1e-9);
		}
	}
}

static void test_never_over_rate(void **state)
{
	(void)state;
	struct loom_credit_sched cs;
	enum { N = 200000 };
	loom_time_ns *when = malloc(N * sizeof(*when));
	loom_time_ns t = 0;
	uint32_t n = 0, v;

	/* called when due (the timers of both runners) */
	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 4, 0), 0);
	loom_credit_request(&cs, 0, 1, UINT64_MAX / 8, 0);
	loom_credit_request(&cs, 1, 3, UINT64_MAX / 8, 0);
	while (n < N) {
		t = loom_credit_next_time(&cs);
		assert_false(t > 0 && loom_credit_next(&cs, t - 1, &v));
		while (n < N && loom_credit_next(&cs, t, &v))
			when[n++] = t;
	}
	check_windows(when, N, 0);
	double rate = (double)(N - 1) * CREDIT * 8 / ((double)when[N - 1] - when[0]) * 1e9;
	assert_true(fabs(rate - RATE) / RATE < 0.0001);
	loom_credit_free(&cs);

	/* called late, early, in bursts: the schedule runs behind by less than
	 * the catch-up limit, so never more than that many credits at once */
	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 4, 0), 0);
	loom_credit_request(&cs, 0, 1, UINT64_MAX / 8, 0);
	n = 0;
	t = 0;
	while (n < N) {
		t += rng() % 5000;
		while (n < N && loom_credit_next(&cs, t, &v))
			when[n++] = t;
	}
	check_windows(when, N, LOOM_CREDIT_MAX_CATCHUP);
	rate = (double)(N - 1) * CREDIT * 8 / ((double)when[N - 1] - when[0]) * 1e9;
	assert_true(rate <= RATE * 1.0001);
	assert_true(rate > RATE * 0.5);
	loom_credit_free(&cs);

	/* a call 100 intervals late gets the catch-up limit's credits at once, not 100 */
	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 4, 0), 0);
	loom_credit_request(&cs, 0, 1, UINT64_MAX / 8, 0);
	assert_true(loom_credit_next(&cs, 0, &v));
	n = 0;
	while (loom_credit_next(&cs, 327680, &v))
		n++;
	assert_true(n >= LOOM_CREDIT_MAX_CATCHUP && n <= LOOM_CREDIT_MAX_CATCHUP + 1);
	free(when);
	loom_credit_free(&cs);
}

static void test_idle_banks_nothing(void **state)
{
	(void)state;
	struct loom_credit_sched cs;
	uint32_t v;

	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 4, 0), 0);
	assert_int_equal(loom_credit_next_time(&cs), LOOM_TIME_NEVER);
	assert_false(loom_credit_next(&cs, 1000000, &v));
	loom_credit_request(&cs, 2, 1, 3 * CREDIT, 1000000);
	assert_int_equal(loom_credit_next_time(&cs), 1000000);
	assert_true(loom_credit_next(&cs, 1000000, &v));
	assert_int_equal(v, 2);
	assert_false(loom_credit_next(&cs, 1000000 + 3276, &v));
	assert_true(loom_credit_next(&cs, 1000000 + 3277, &v)); /* 3276.8 ns later */
	assert_int_equal(loom_credit_next_time(&cs), 1000000 + 6554); /* 6553.6 */
	/* the egress port is backlogged: this credit time passes without a credit */
	assert_false(loom_credit_skip(&cs, 1000000 + 6553));
	assert_true(loom_credit_skip(&cs, 1000000 + 6554));
	assert_int_equal(cs.skipped, 1);
	assert_int_equal(loom_credit_next_time(&cs), 1000000 + 9831); /* 9830.4 */
	assert_int_equal(cs.voq[2].granted, 2 * CREDIT);
	assert_true(loom_credit_next(&cs, 5000000, &v));
	assert_false(loom_credit_next(&cs, 5000000, &v)); /* satisfied: left the round */
	assert_int_equal(loom_credit_next_time(&cs), LOOM_TIME_NEVER);
	loom_credit_free(&cs);
}

static void test_demand_in_credits(void **state)
{
	(void)state;
	struct loom_credit_sched cs;
	uint32_t v, n = 0;

	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 4, 0), 0);
	loom_credit_request(&cs, 1, 1, 10000, 0);
	while (loom_credit_next(&cs, loom_credit_next_time(&cs) == LOOM_TIME_NEVER ? 0 : loom_credit_next_time(&cs), &v)) {
		assert_int_equal(v, 1);
		n++;
		if (n > 10)
			break;
	}
	assert_int_equal(n, 3);
	assert_int_equal(cs.voq[1].requested, 10000);
	assert_int_equal(cs.voq[1].granted, 3 * CREDIT);
	assert_int_equal(cs.voq[1].demand, 0);
	assert_false(cs.voq[1].active);
	loom_credit_free(&cs);
	assert_int_equal(loom_credit_init(&cs, 0, CREDIT, 4, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drr_shares),
		cmocka_unit_test(test_no_starvation),
		cmocka_unit_test(test_never_over_rate),
		cmocka_unit_test(test_idle_banks_nothing),
		cmocka_unit_test(test_demand_in_credits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
