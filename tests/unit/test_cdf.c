/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-size CDFs:
 *  - the shipped tables (workloads/cdf/) load;
 *  - sampling matches the table: with 1 000 000 samples (fixed seed) the
 *    empirical CDF at every table point is within 0.002 of the table's
 *    value. The Dvoretzky-Kiefer-Wolfowitz bound gives
 *    P(sup |F_n - F| > 0.002) <= 2 exp(-2 n 0.002^2) = 6.7e-4 for a
 *    correct sampler, so a failure means a wrong one; rounding sizes to
 *    whole bytes moves at most 0.00005 of mass (websearch, 1% on
 *    0..100 B). The sample mean is within 2% of the table's exact mean;
 *  - quantiles interpolate linearly (checked by hand on a small table);
 *  - bad tables name the line and the problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loom/traffic/cdf.h"

#define N_SAMPLES 1000000
#define CDF_TOLERANCE 0.002

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void check_sampling(const char *file)
{
	char path[1024], err[512];
	struct loom_cdf cdf;
	struct loom_rng rng;
	uint64_t *s = malloc(N_SAMPLES * sizeof(*s));
	double worst = 0, sum = 0, mean;
	size_t j = 0;

	assert_non_null(s);
	snprintf(path, sizeof(path), "%s/workloads/cdf/%s", LOOM_SOURCE_ROOT, file);
	assert_int_equal(loom_cdf_load(path, &cdf, err, sizeof(err)), 0);
	loom_rng_seed(&rng, 20240601);
	for (int i = 0; i < N_SAMPLES; i++) {
		s[i] = loom_cdf_sample(&cdf, &rng);
		sum += (double)s[i];
	}
	qsort(s, N_SAMPLES, sizeof(*s), cmp_u64);
	for (size_t p = 0; p < cdf.n; p++) {
		double emp, d;

		/* fraction of samples <= the point's size */
		while (j < N_SAMPLES && (double)s[j] <= cdf.bytes[p])
			j++;
		emp = (double)j / N_SAMPLES;
		d = fabs(emp - cdf.cum[p]);
		if (d > worst)
			worst = d;
		assert_true(d <= CDF_TOLERANCE);
	}
	mean = sum / N_SAMPLES;
	print_message("%s: %zu points, max |F_emp - F| at the points %.5f (tolerance %.3f), "
		      "mean %.0f B sampled vs %.0f B exact (%+.2f%%)\n",
		      file, cdf.n, worst, CDF_TOLERANCE, mean, loom_cdf_mean(&cdf),
		      100.0 * (mean / loom_cdf_mean(&cdf) - 1));
	assert_true(fabs(mean / loom_cdf_mean(&cdf) - 1) < 0.02);
	loom_cdf_free(&cdf);
	free(s);
}

static void test_websearch_sampling(void **state)
{
	(void)state;
	check_sampling("websearch.cdf");
}

static void test_hadoop_sampling(void **state)
{
	(void)state;
	check_sampling("fb_hadoop.cdf");
}

static void test_quantile_and_mean_by_hand(void **state)
{
	/* 20% at 100 B, up to 50% at 1000 B, up to 100% at 2000 B */
	static const char t[] = "# comment\n100 20\n\n1000 50  # inline\n2000 100\n";
	struct loom_cdf cdf;
	char err[256];

	(void)state;
	assert_int_equal(loom_cdf_parse(t, "hand", &cdf, err, sizeof(err)), 0);
	assert_int_equal(cdf.n, 3);
	assert_true(loom_cdf_quantile(&cdf, 0.1) == 100);  /* mass below the first point */
	assert_true(loom_cdf_quantile(&cdf, 0.2) == 100);
	assert_true(fabs(loom_cdf_quantile(&cdf, 0.35) - 550) < 1e-9); /* halfway 100..1000 */
	assert_true(fabs(loom_cdf_quantile(&cdf, 0.75) - 1500) < 1e-9);
	/* mean = 0.2*100 + 0.3*(100+1000)/2 + 0.5*(1000+2000)/2 = 20 + 165 + 750 */
	assert_true(fabs(loom_cdf_mean(&cdf) - 935) < 1e-9);
	assert_true(fabs(loom_cdf_at(&cdf, 550) - 0.35) < 1e-12);
	assert_true(loom_cdf_at(&cdf, 50) == 0.0 && loom_cdf_at(&cdf, 5000) == 1.0);
	loom_cdf_free(&cdf);
}

static void expect_error(const char *text, const char *msg)
{
	struct loom_cdf cdf;
	char err[256];

	assert_int_equal(loom_cdf_parse(text, "bad.cdf", &cdf, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("expected '%s' in '%s'", msg, err);
	assert_null(cdf.bytes);
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("100 10\n50 20\n", "bad.cdf:2: size is below");
	expect_error("100 10\n200 5\n", "bad.cdf:2: percent is below");
	expect_error("100 10\n200 90\n", "bad.cdf:2: the last point is below 100%");
	expect_error("# only\n\n", "bad.cdf: no points");
	expect_error("100 10\nabc 20\n", "bad.cdf:2: expected 'SIZE_BYTES CUMULATIVE_PERCENT'");
	expect_error("100\n", "bad.cdf:1: missing cumulative percent");
	expect_error("100 10 7\n", "bad.cdf:1: unexpected text after");
	expect_error("100 120\n", "bad.cdf:1: percent is outside 0..100");
	expect_error("-5 10\n", "bad.cdf:1: size is negative");
}

static void test_missing_file(void **state)
{
	struct loom_cdf cdf;
	char err[256];

	(void)state;
	assert_int_equal(loom_cdf_load("/nonexistent/x.cdf", &cdf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.cdf: cannot read"));
	/* any file may be named: its content is never quoted back */
	assert_int_equal(loom_cdf_load("/etc/passwd", &cdf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/etc/passwd:1: "));
	assert_null(strstr(err, "root"));
	assert_null(strstr(err, ":x:"));
	assert_int_equal(loom_cdf_load("/dev/zero", &cdf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_websearch_sampling),
		cmocka_unit_test(test_hadoop_sampling),
		cmocka_unit_test(test_quantile_and_mean_by_hand),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
