/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager settings (scheduler/tm/tm_config.c):
 *  - byte counts with units, and what is refused;
 *  - every key family sets what it says, for one class or all;
 *  - bad values and keys: -1 with the key in the message, nothing changed;
 *  - finalize: DSCP overrides on the default map, default modes (classes
 *    6, 7 strict), RoCE data class on DCQCN, whole-set checks;
 *  - ECN thresholds scaled from the rate unless given; derived burst;
 *  - the default queue limit: 512000 up to MTU 1500, the same number of
 *    frames above it; a setting is used as given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loom/tm/tm_config.h"

static void test_bytes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(loom_parse_bytes("1500", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(loom_parse_bytes("30KB", &v), 0);
	assert_int_equal(v, 30000);
	assert_int_equal(loom_parse_bytes("1.5MB", &v), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(loom_parse_bytes("64KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(loom_parse_bytes("lots", &v), -1);
	assert_int_equal(loom_parse_bytes("-1", &v), -1);
	assert_int_equal(loom_parse_bytes("1.5", &v), -1);
	assert_int_equal(loom_parse_bytes("10XB", &v), -1);
}

static void test_keys(void **state)
{
	struct loom_tm_cfg c;
	char err[256];

	(void)state;
	loom_tm_cfg_default(&c);
	assert_int_equal(loom_tm_cfg_set(&c, "queue_limit", "100KB", err, sizeof(err)), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(c.cls[i].queue_limit, 100000);
	assert_int_equal(loom_tm_cfg_set(&c, "class.2.queue_limit", "5000", err, sizeof(err)), 0);
	assert_int_equal(c.cls[2].queue_limit, 5000);
	assert_int_equal(c.cls[1].queue_limit, 100000);
	assert_int_equal(loom_tm_cfg_set(&c, "class.0.ecn", "step", err, sizeof(err)), 0);
	assert_int_equal(loom_tm_cfg_set(&c, "class.0.ecn.k", "30KB", err, sizeof(err)), 0);
	assert_int_equal(c.cls[0].ecn, LOOM_TM_ECN_STEP);
	assert_int_equal(c.cls[0].k, 30000);
	assert_int_equal(loom_tm_cfg_set(&c, "ecn.pmax", "0.5", err, sizeof(err)), 0);
	assert_int_equal(c.cls[5].pmax, LOOM_ECN_P_ONE / 2);
	assert_int_equal(loom_tm_cfg_set(&c, "class.4.weight", "7", err, sizeof(err)), 0);
	assert_int_equal(c.cls[4].weight, 7);
	assert_int_equal(loom_tm_cfg_set(&c, "class.5.mode", "strict", err, sizeof(err)), 0);
	assert_int_equal(loom_tm_cfg_set(&c, "class.5.prio", "3", err, sizeof(err)), 0);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.lossless", "3,4", err, sizeof(err)), 0);
	assert_int_equal(c.lossless, 0x18);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.lossless", "[3]", err, sizeof(err)), 0);
	assert_int_equal(c.lossless, 0x08);
	assert_int_equal(loom_tm_cfg_set(&c, "alpha", "1/8", err, sizeof(err)), 0);
	assert_int_equal(c.alpha_log2, -3);
	assert_int_equal(loom_tm_cfg_set(&c, "alpha", "2", err, sizeof(err)), 0);
	assert_int_equal(c.alpha_log2, 1);
	assert_int_equal(loom_tm_cfg_set(&c, "enabled", "false", err, sizeof(err)), 0);
	assert_false(c.enabled);
	assert_int_equal(loom_tm_cfg_set(&c, "dscp.10", "5", err, sizeof(err)), 0);
	/* PFC watchdog: defaults, durations, action */
	assert_int_equal(c.pfc_wd.detect_ns, 200000000);
	assert_int_equal(c.pfc_wd.action, LOOM_PFC_WD_DROP);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.watchdog.detect", "50ms", err, sizeof(err)), 0);
	assert_int_equal(c.pfc_wd.detect_ns, 50000000);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.watchdog.restore", "1.5s", err, sizeof(err)), 0);
	assert_int_equal(c.pfc_wd.restore_ns, 1500000000);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.watchdog.detect", "0", err, sizeof(err)), 0);
	assert_int_equal(c.pfc_wd.detect_ns, 0);
	assert_int_equal(loom_tm_cfg_set(&c, "pfc.watchdog.action", "ignore", err, sizeof(err)), 0);
	assert_int_equal(c.pfc_wd.action, LOOM_PFC_WD_IGNORE);
}

static void test_bad_values(void **state)
{
	static const char *const bad[][2] = {
		{"alpha", "3"},          {"alpha", "1/128"},       {"classes", "9"},     {"classes", "0"},
		{"class.8.weight", "1"}, {"class.1.weight", "0"},  {"class.1.mode", "wfq"}, {"ecn", "codel"},
		{"ecn.pmax", "1.5"},     {"pfc.lossless", "8"},    {"pfc.quanta", "70000"}, {"dscp.64", "1"},
		{"dscp.3", "8"},         {"queue_limit", "10"},    {"bogus", "1"},       {"class.x.weight", "1"},
		{"enabled", "maybe"},    {"pfc.watchdog.detect", "10 parsecs"}, {"pfc.watchdog.restore", "0"},
		{"pfc.watchdog.detect", "2h"}, {"pfc.watchdog.action", "alert"}, {"pfc.watchdog.detect", "-1ms"},
	};
	struct loom_tm_cfg c, before;
	char err[256];

	(void)state;
	loom_tm_cfg_default(&c);
	before = c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(loom_tm_cfg_set(&c, bad[i][0], bad[i][1], err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i][0]));
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

static void test_finalize(void **state)
{
	struct loom_tm_cfg c;
	char err[256];

	(void)state;
	loom_tm_cfg_default(&c);
	loom_tm_cfg_set(&c, "dscp.10", "5", err, sizeof(err));
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), 0);
	assert_int_equal(c.dscp.cls[10], 5);
	assert_int_equal(c.dscp.cls[26], 3);
	assert_int_equal(c.dscp.cls[48], 6);
	assert_int_equal(c.dscp.cls[0], 0);
	assert_int_equal(c.cls[6].mode, LOOM_QSCHED_STRICT);
	assert_int_equal(c.cls[7].mode, LOOM_QSCHED_STRICT);
	assert_int_equal(c.cls[0].mode, LOOM_QSCHED_DRR);
	assert_int_equal(c.cls[3].ecn, LOOM_TM_ECN_DCQCN);
	assert_int_equal(c.cls[0].ecn, LOOM_TM_ECN_DCTCP);

	/* a DSCP mapped beyond the class count, xon >= xoff, step without K */
	loom_tm_cfg_default(&c);
	loom_tm_cfg_set(&c, "classes", "4", err, sizeof(err));
	loom_tm_cfg_set(&c, "dscp.10", "5", err, sizeof(err));
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), -1);
	loom_tm_cfg_default(&c);
	loom_tm_cfg_set(&c, "pfc.xon", "64000", err, sizeof(err));
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pfc.xon"));
	loom_tm_cfg_default(&c);
	loom_tm_cfg_set(&c, "class.1.ecn", "step", err, sizeof(err));
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), -1);
}

static void test_scaled_thresholds(void **state)
{
	struct loom_tm_cfg c;
	struct loom_ecn_cfg e;
	char err[256];

	(void)state;
	loom_tm_cfg_default(&c);
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), 0);
	loom_tm_class_ecn(&c, 0, 10000000000ull, &e);
	assert_int_equal(e.mode, LOOM_ECN_MODE_STEP);
	assert_int_equal(e.k_bytes, 97500);           /* 65 x 1500 at 10G */
	loom_tm_class_ecn(&c, 0, 40000000000ull, &e);
	assert_int_equal(e.k_bytes, 390000);
	loom_tm_class_ecn(&c, 3, 25000000000ull, &e); /* DCQCN at 25G */
	assert_int_equal(e.mode, LOOM_ECN_MODE_RED);
	assert_int_equal(e.kmin_bytes, 100000);
	assert_int_equal(e.kmax_bytes, 400000);
	loom_tm_cfg_set(&c, "class.0.ecn.k", "30KB", err, sizeof(err));
	loom_tm_class_ecn(&c, 0, 10000000000ull, &e);
	assert_int_equal(e.k_bytes, 30000);           /* given: not scaled */
	assert_int_equal(loom_tm_burst(&c, 100000000ull), 6250);       /* 500 us at 100M */
	assert_int_equal(loom_tm_burst(&c, 1000000ull), LOOM_TM_MIN_BURST);
	loom_tm_cfg_set(&c, "burst", "3000", err, sizeof(err));
	assert_int_equal(loom_tm_burst(&c, 100000000ull), 3000);
}

static void test_queue_limit_by_mtu(void **state)
{
	struct loom_tm_cfg c;
	char err[256];

	(void)state;
	loom_tm_cfg_default(&c);
	assert_int_equal(loom_tm_cfg_finalize(&c, err, sizeof(err)), 0);
	assert_int_equal(loom_tm_queue_limit(&c, 0, 1500), 512000);
	assert_int_equal(loom_tm_queue_limit(&c, 7, 1280), 512000);
	assert_int_equal(loom_tm_queue_limit(&c, 0, 0), 512000);        /* no MTU given */
	assert_int_equal(loom_tm_queue_limit(&c, 0, 1501), 512337);     /* 512000 x 1519 / 1518 */
	assert_int_equal(loom_tm_queue_limit(&c, 3, 9000), 3041644);    /* 512000 x 9018 / 1518 */
	assert_int_equal(loom_tm_queue_limit(&c, 0, 9000) / 9018, 512000 / 1518); /* 337 frames either way */
	assert_int_equal(loom_tm_cfg_set(&c, "class.3.queue_limit", "512000", err, sizeof(err)), 0);
	assert_int_equal(loom_tm_queue_limit(&c, 3, 9000), 512000);     /* a setting is used as given */
	assert_int_equal(loom_tm_queue_limit(&c, 2, 9000), 3041644);
	assert_int_equal(loom_tm_cfg_set(&c, "queue_limit", "1MB", err, sizeof(err)), 0);
	assert_int_equal(loom_tm_queue_limit(&c, 2, 9000), 1000000);
	assert_int_equal(loom_tm_queue_limit(&c, 2, 1500), 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_finalize),
		cmocka_unit_test(test_scaled_thresholds),
		cmocka_unit_test(test_queue_limit_by_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
