/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECN marking, with random numbers and time passed in:
 *  - step: a packet finding K-1 bytes is not marked, one finding K is;
 *  - RED p_b exact in fixed point, and the draw's threshold exact
 *    (rand = p_b*2^32 - 1 marks, rand = p_b*2^32 does not);
 *  - the marking probability measured over 200 000 draws per point along
 *    the curve, against p_b = pmax (q - kmin) / (kmax - kmin) in double:
 *    within 4.5 binomial standard deviations (at most 0.004 absolute at
 *    p = 0.2; 4.5 sigma: a correct implementation fails with probability
 *    ~1e-5 per point, and the draws are a fixed sequence anyway, while an
 *    error of 2 % of pmax or more is caught);
 *  - uniformization: with p_b = 1/8 exactly, gaps between marks are
 *    uniform on 1..8 (each within 4.5 sigma of 1/8, none longer), mark
 *    rate 2/9; with the largest random number, a mark every 8th packet;
 *  - non-ECT never marked; WRED drops only with a drop profile;
 *  - averaged vs instantaneous length; EWMA exact; idle decay against
 *    (1 - w)^m with m = idle time / packet time (relative 1e-6);
 *  - defaults scaled with the rate, configuration checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include <cmocka.h>

#define TEST_RNG_SEED 0x13198a2e03707344ull
#include "test_rng.h"
#include <math.h>

#include "loom/clock.h"
#include "loom/tm/ecn_mark.h"

#define GBPS 1000000000ull


/* kmin 100 000, kmax 400 000, pmax 0.2: DCQCN's 25G default */
static void red_cfg(struct loom_ecn_cfg *cfg)
{
	loom_ecn_dcqcn_default(cfg, 25 * GBPS);
	assert_int_equal(cfg->kmin_bytes, 100000);
	assert_int_equal(cfg->kmax_bytes, 400000);
}

static void test_step_exactly_at_k(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;

	loom_ecn_dctcp_default(&cfg, 10 * GBPS);
	assert_int_equal(cfg.mode, LOOM_ECN_MODE_STEP);
	assert_int_equal(cfg.k_bytes, 97500); /* 65 x 1500 */
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 0, true, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97499, true, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97500, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97501, true, UINT32_MAX, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 5000000, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);
	/* the random number plays no part */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(loom_ecn_decide(&st, &cfg, 97499, true, rng32(), 0), LOOM_ECN_ENQUEUE);
		assert_int_equal(loom_ecn_decide(&st, &cfg, 97500, true, rng32(), 0), LOOM_ECN_ENQUEUE_MARK);
	}
	/* non-ECT: passed, counted */
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97500, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(st.st.pkts, 2006);
	assert_int_equal(st.st.marked_forced, 1003);
	assert_int_equal(st.st.marked_early, 0);
	assert_int_equal(st.st.non_ect_passed, 1);
	assert_int_equal(st.st.dropped_forced + st.st.dropped_early, 0);
}

static void test_red_pb_exact(void **state)
{
	struct loom_ecn_cfg cfg;

	red_cfg(&cfg);
	assert_int_equal(cfg.pmax, 13107); /* 0.2 in Q16 */
	assert_int_equal(loom_ecn_red_pb(&cfg, 0), 0);
	assert_int_equal(loom_ecn_red_pb(&cfg, 99999), 0);
	assert_int_equal(loom_ecn_red_pb(&cfg, 100000), 0);
	/* halfway: pmax / 2 = 13107 * 2^15 */
	assert_int_equal(loom_ecn_red_pb(&cfg, 250000), 13107ull << 15);
	/* one byte above kmin: 13107 * 2^16 / 300000 = 2863.1 -> 2863 */
	assert_int_equal(loom_ecn_red_pb(&cfg, 100001), 2863);
	assert_int_equal(loom_ecn_red_pb(&cfg, 399999), (13107ull * 299999 << 16) / 300000);
	assert_int_equal(loom_ecn_red_pb(&cfg, 400000), 1ull << 32);
	assert_int_equal(loom_ecn_red_pb(&cfg, 1u << 31), 1ull << 32);
	/* pmax 1: p_b reaches 2^32 - 2^32/range just below kmax */
	cfg.pmax = LOOM_ECN_P_ONE;
	assert_int_equal(loom_ecn_red_pb(&cfg, 399999), (299999ull << 32) / 300000);
}

static void test_red_draw_threshold(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;
	uint32_t pb = 13107u << 15; /* at 250 000 */

	red_cfg(&cfg);
	/* first packet after a mark (count 0): p_a = p_b */
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, pb - 1, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(st.count, 0);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, pb, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(st.count, 1);
	/* second (count 1): p_a = p_b / (1 - p_b); p_b = 0.1 - 1.5e-6 */
	{
		double p = (double)pb / 4294967296.0;
		double pa = p / (1.0 - p);
		uint32_t r = (uint32_t)(pa * 4294967296.0);

		loom_ecn_state_init(&st);
		st.count = 1;
		assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, r - 1, 0), LOOM_ECN_ENQUEUE_MARK);
		st.count = 1;
		assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, r + 1, 0), LOOM_ECN_ENQUEUE);
	}
	assert_int_equal(st.st.marked_early, 1);
}

static void test_red_curve_measured(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;
	const int N = 200000;

	red_cfg(&cfg);
	for (uint32_t q = 90000; q <= 400000; q += 10000) {
		double want = q < 100000 ? 0.0 : q >= 400000 ? 1.0 : 0.2 * (q - 100000) / 300000.0;
		double sigma = sqrt(want * (1.0 - want) / N);
		int marks = 0;

		for (int i = 0; i < N; i++) {
			/* a fresh count for each draw: the probability of one draw */
			loom_ecn_state_init(&st);
			marks += loom_ecn_decide(&st, &cfg, q, true, rng32(), 0) == LOOM_ECN_ENQUEUE_MARK;
		}
		/* + 1e-4 for pmax's Q16 rounding (13107/65536 = 0.19999695) */
		assert_true(fabs((double)marks / N - want) <= 4.5 * sigma + 1e-4);
	}
}

static void test_red_uniform_gaps(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;
	uint64_t gaps[10] = {0};
	uint64_t n_marks = 0, since = 0;
	const int N = 900000;

	/* pmax 1/4 at the midpoint: p_b = 1/8 exactly */
	red_cfg(&cfg);
	cfg.pmax = LOOM_ECN_P_ONE / 4;
	assert_int_equal(loom_ecn_red_pb(&cfg, 250000), 1ull << 29);
	loom_ecn_state_init(&st);
	for (int i = 0; i < N; i++) {
		since++;
		if (loom_ecn_decide(&st, &cfg, 250000, true, rng32(), 0) == LOOM_ECN_ENQUEUE_MARK) {
			assert_true(since >= 1 && since <= 8);
			gaps[since]++;
			n_marks++;
			since = 0;
		}
	}
	for (int g = 1; g <= 8; g++) {
		double f = (double)gaps[g] / (double)n_marks;

		assert_true(fabs(f - 0.125) <= 4.5 * sqrt(0.125 * 0.875 / (double)n_marks));
	}
	/* mean gap 4.5: marks at 2/9 of packets (a geometric gap would give
	 * 1/8) */
	assert_true(fabs((double)n_marks / N - 2.0 / 9.0) <= 0.002);

	/* the largest random number never wins a draw below p_a = 1: the
	 * count alone forces a mark on every 8th packet */
	loom_ecn_state_init(&st);
	for (int i = 1; i <= 80; i++)
		assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, UINT32_MAX, 0),
				 i % 8 == 0 ? LOOM_ECN_ENQUEUE_MARK : LOOM_ECN_ENQUEUE);
	/* and 0 always wins (p_b > 0) */
	for (int i = 0; i < 10; i++)
		assert_int_equal(loom_ecn_decide(&st, &cfg, 100001, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);
	/* below kmin the count restarts */
	st.count = 5;
	assert_int_equal(loom_ecn_decide(&st, &cfg, 99999, true, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(st.count, 0);
}

static void test_non_ect_never_marked(void **state)
{
	struct loom_ecn_cfg red, step;
	struct loom_ecn_state st;

	red_cfg(&red);
	loom_ecn_dctcp_default(&step, 10 * GBPS);
	loom_ecn_state_init(&st);
	for (uint32_t q = 0; q <= 1000000; q += 997) {
		assert_int_equal(loom_ecn_decide(&st, &red, q, false, 0, 0), LOOM_ECN_ENQUEUE);
		assert_int_equal(loom_ecn_decide(&st, &step, q, false, 0, 0), LOOM_ECN_ENQUEUE);
	}
	assert_int_equal(st.st.marked_early + st.st.marked_forced, 0);
	assert_int_equal(st.st.dropped_early + st.st.dropped_forced, 0);
	/* non-ECT packets do not move the count */
	st.count = 3;
	assert_int_equal(loom_ecn_decide(&st, &red, 250000, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &red, 500000, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(st.count, 3);
}

static void test_wred_drop_only_when_enabled(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;

	red_cfg(&cfg);
	cfg.wred_drop = 1;
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 99999, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, false, 0, 0), LOOM_ECN_DROP_WRED);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, false, UINT32_MAX, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 400000, false, UINT32_MAX, 0), LOOM_ECN_DROP_WRED);
	/* ECT packets are still marked, not dropped */
	assert_int_equal(loom_ecn_decide(&st, &cfg, 400000, true, UINT32_MAX, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 250000, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(st.st.dropped_early, 1);
	assert_int_equal(st.st.dropped_forced, 1);
	assert_int_equal(st.st.marked_early, 1);
	assert_int_equal(st.st.marked_forced, 1);
	assert_int_equal(st.st.non_ect_passed, 0);

	/* the same on a step profile */
	loom_ecn_dctcp_default(&cfg, 10 * GBPS);
	cfg.wred_drop = 1;
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97499, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 97500, false, 0, 0), LOOM_ECN_DROP_WRED);

	/* mode none: nothing ever */
	cfg.mode = LOOM_ECN_MODE_NONE;
	assert_int_equal(loom_ecn_decide(&st, &cfg, 1u << 30, false, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 1u << 30, true, 0, 0), LOOM_ECN_ENQUEUE);
}

static void test_average_vs_instantaneous(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;
	double avg = 0.0;

	/* step K = 97 500 on the average with w = 1/4: a queue of 200 000
	 * gives avg 50 000, 87 500, 115 625: marked from the third packet */
	loom_ecn_dctcp_default(&cfg, 10 * GBPS);
	cfg.use_average = 1;
	cfg.wq_log2 = 2;
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 200000, true, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_avg_bytes(&st), 50000);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 200000, true, 0, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_avg_bytes(&st), 87500);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 200000, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);
	assert_int_equal(loom_ecn_avg_bytes(&st), 115625);
	/* instantaneous: the first one */
	cfg.use_average = 0;
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 200000, true, 0, 0), LOOM_ECN_ENQUEUE_MARK);

	/* RED: an instantaneous spike to 1 MB is a forced mark, on the
	 * average (w = 1/4) it is 250 000: a draw at p_b = 0.1 */
	red_cfg(&cfg);
	cfg.wq_log2 = 2;
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 1000000, true, UINT32_MAX, 0), LOOM_ECN_ENQUEUE_MARK);
	cfg.use_average = 1;
	loom_ecn_state_init(&st);
	assert_int_equal(loom_ecn_decide(&st, &cfg, 1000000, true, UINT32_MAX, 0), LOOM_ECN_ENQUEUE);
	assert_int_equal(loom_ecn_avg_bytes(&st), 250000);

	/* the EWMA follows avg <- (1 - w) avg + w q within a byte over a
	 * random walk, w = 2^-9 */
	cfg.wq_log2 = 9;
	loom_ecn_state_init(&st);
	for (int i = 0; i < 100000; i++) {
		uint32_t q = rng32() % 2000000;

		avg += (q - avg) / 512.0;
		loom_ecn_decide(&st, &cfg, q, true, rng32(), 0);
		assert_true(fabs((double)st.avg / 65536.0 - avg) <= 1.0);
	}
}

static void test_idle_decay(void **state)
{
	struct loom_ecn_cfg cfg;
	struct loom_ecn_state st;
	struct loom_fake_clock fc;
	const uint64_t A = 300000;
	static const uint64_t ms[] = {1, 100, 1000, 10000, 100000};

	red_cfg(&cfg);
	cfg.use_average = 1;
	cfg.rate_bps = 10 * GBPS; /* 1500 B = 1200 ns */
	assert_int_equal(cfg.wq_log2, 9);
	assert_int_equal(cfg.mean_pkt_bytes, 1500);
	loom_fake_clock_init(&fc, 1000000);

	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		double want = (double)A * pow(1.0 - 1.0 / 512.0, (double)ms[i]);

		loom_ecn_state_init(&st);
		st.avg = A << LOOM_ECN_AVG_SHIFT;
		loom_ecn_queue_empty(&st, loom_clock_now(&fc.clock));
		/* m idle packet times, plus 1199 ns that do not make one more */
		loom_fake_clock_advance(&fc, ms[i] * 1200 + 1199);
		loom_ecn_decide(&st, &cfg, 0, true, UINT32_MAX, loom_clock_now(&fc.clock));
		assert_true(fabs((double)st.avg / 65536.0 - want) <= 1e-6 * A);
		assert_int_equal(st.idle, 0);
	}

	/* 400G with 64 B packets: 1.28 ns each, 128 ns = 100 packets */
	cfg.rate_bps = 400 * GBPS;
	cfg.mean_pkt_bytes = 64;
	loom_ecn_state_init(&st);
	st.avg = A << LOOM_ECN_AVG_SHIFT;
	loom_ecn_queue_empty(&st, 5000);
	loom_ecn_decide(&st, &cfg, 0, true, UINT32_MAX, 5128);
	assert_true(fabs((double)st.avg / 65536.0 - A * pow(511.0 / 512.0, 100)) <= 1e-6 * A);

	/* long idle: down to nothing; a decayed average still in the band
	 * still marks with the curve's probability */
	loom_ecn_state_init(&st);
	st.avg = A << LOOM_ECN_AVG_SHIFT;
	loom_ecn_queue_empty(&st, 0);
	loom_ecn_decide(&st, &cfg, 0, true, 0, 3600 * LOOM_NS_PER_S);
	assert_int_equal(st.avg, 0);

	/* a queue that refilled before the arrival: a normal update */
	cfg.rate_bps = 10 * GBPS;
	loom_ecn_state_init(&st);
	st.avg = A << LOOM_ECN_AVG_SHIFT;
	loom_ecn_queue_empty(&st, 0);
	loom_ecn_decide(&st, &cfg, 300000, true, UINT32_MAX, LOOM_NS_PER_S);
	assert_int_equal(loom_ecn_avg_bytes(&st), A);
	/* empty queue without being told it emptied: one sample of 0 */
	loom_ecn_decide(&st, &cfg, 0, true, UINT32_MAX, 2 * LOOM_NS_PER_S);
	assert_int_equal(st.avg, (A << 16) - (A << 16) / 512);
	/* rate 0: one sample of 0 too */
	cfg.rate_bps = 0;
	st.avg = A << 16;
	loom_ecn_queue_empty(&st, 0);
	loom_ecn_decide(&st, &cfg, 0, true, UINT32_MAX, LOOM_NS_PER_S);
	assert_int_equal(st.avg, (A << 16) - (A << 16) / 512);
}

static void test_defaults_scale_with_rate(void **state)
{
	static const struct {
		uint64_t rate;
		uint32_t k, kmin, kmax;
	} want[] = {
		{1 * GBPS, 9750, 4000, 16000},
		{10 * GBPS, 97500, 40000, 160000},
		{25 * GBPS, 243750, 100000, 400000},
		{100 * GBPS, 975000, 400000, 1600000},
		{400 * GBPS, 3900000, 1600000, 6400000},
		/* 400G slowed 10 000 times: floors of 1 and 2 packets */
		{40000000, 1500, 1500, 3000},
	};
	struct loom_ecn_cfg cfg;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		loom_ecn_dctcp_default(&cfg, want[i].rate);
		assert_int_equal(loom_ecn_cfg_check(&cfg), 0);
		assert_int_equal(cfg.mode, LOOM_ECN_MODE_STEP);
		assert_int_equal(cfg.use_average, 0);
		assert_int_equal(cfg.k_bytes, want[i].k);
		assert_int_equal(cfg.rate_bps, want[i].rate);
		loom_ecn_dcqcn_default(&cfg, want[i].rate);
		assert_int_equal(loom_ecn_cfg_check(&cfg), 0);
		assert_int_equal(cfg.mode, LOOM_ECN_MODE_RED);
		assert_int_equal(cfg.kmin_bytes, want[i].kmin);
		assert_int_equal(cfg.kmax_bytes, want[i].kmax);
		assert_int_equal(cfg.pmax, 13107);
		assert_int_equal(cfg.wred_drop, 0);
	}
}

static void test_cfg_check(void **state)
{
	struct loom_ecn_cfg cfg;

	red_cfg(&cfg);
	assert_int_equal(loom_ecn_cfg_check(&cfg), 0);
	cfg.kmin_bytes = cfg.kmax_bytes;
	assert_int_equal(loom_ecn_cfg_check(&cfg), -EINVAL);
	red_cfg(&cfg);
	cfg.pmax = LOOM_ECN_P_ONE + 1;
	assert_int_equal(loom_ecn_cfg_check(&cfg), -EINVAL);
	cfg.pmax = LOOM_ECN_P_ONE;
	assert_int_equal(loom_ecn_cfg_check(&cfg), 0);
	cfg.wq_log2 = LOOM_ECN_WQ_LOG2_MAX + 1;
	assert_int_equal(loom_ecn_cfg_check(&cfg), -EINVAL);
	red_cfg(&cfg);
	cfg.mean_pkt_bytes = LOOM_ECN_MEAN_PKT_MAX + 1;
	assert_int_equal(loom_ecn_cfg_check(&cfg), -EINVAL);
	red_cfg(&cfg);
	cfg.mode = 7;
	assert_int_equal(loom_ecn_cfg_check(&cfg), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_exactly_at_k),
		cmocka_unit_test(test_red_pb_exact),
		cmocka_unit_test(test_red_draw_threshold),
		cmocka_unit_test(test_red_curve_measured),
		cmocka_unit_test(test_red_uniform_gaps),
		cmocka_unit_test(test_non_ect_never_marked),
		cmocka_unit_test(test_wred_drop_only_when_enabled),
		cmocka_unit_test(test_average_vs_instantaneous),
		cmocka_unit_test(test_idle_decay),
		cmocka_unit_test(test_defaults_scale_with_rate),
		cmocka_unit_test(test_cfg_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
