/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomctl web's rates (control/loomctl/web_sampler.c): two `stats` results
 * of the same loomd give each port its tx/rx bits per second over loomd's
 * time between them, its tx utilization and the growth of its drops, ECN
 * marks and PFC frames; no rate without an older
 * sample, and none for a port whose counters went back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "web_sampler.h"

static json_t *sample(long long t_ns, long long tx, long long rx)
{
	json_t *s = json_pack("{s:s, s:I, s:[{s:s, s:[{s:i, s:s, s:I, s:I, s:I}]}]}", "fabric", "f", "time_ns",
			      (json_int_t)t_ns, "switches", "name", "leaf0", "ports", "index", 2, "name", "spine0",
			      "rate_bps", (json_int_t)10000000000LL, "tx_bytes", (json_int_t)tx, "rx_bytes",
			      (json_int_t)rx);
	assert_non_null(s);
	return s;
}

static json_t *port_of(json_t *s)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(s, "switches"), 0), "ports"), 0);
}

static void rates_over_loomd_time(void **state)
{
	json_t *prev = sample(1000000000LL, 1000, 0), *cur = sample(3000000000LL, 1000 + 250000000, 5000);

	(void)state;
	/* drops by reason, ECN marks by class, PFC frames both ways: their growth */
	json_object_set_new(port_of(prev), "drops", json_pack("{s:i}", "no_route", 4));
	json_object_set_new(port_of(cur), "drops", json_pack("{s:i, s:i}", "no_route", 6, "queue_full", 1));
	json_object_set_new(port_of(prev), "tm", json_pack("{s:i, s:i, s:[{s:i}, {s:i}]}", "pfc_frames_sent", 1,
							   "pfc_frames_received", 0, "classes", "ecn_marked", 1,
							   "ecn_marked", 2));
	json_object_set_new(port_of(cur), "tm", json_pack("{s:i, s:i, s:[{s:i}, {s:i}]}", "pfc_frames_sent", 2,
							  "pfc_frames_received", 1, "classes", "ecn_marked", 5,
							  "ecn_marked", 5));
	web_rates_add(cur, prev);
	assert_int_equal(json_integer_value(json_object_get(cur, "interval_ns")), 2000000000LL);
	assert_int_equal(json_integer_value(json_object_get(port_of(cur), "tx_bps")), 1000000000LL); /* 2 Gb in 2 s */
	assert_int_equal(json_integer_value(json_object_get(port_of(cur), "rx_bps")), 20000);
	assert_true(json_real_value(json_object_get(port_of(cur), "tx_util")) > 0.0999 &&
		    json_real_value(json_object_get(port_of(cur), "tx_util")) < 0.1001);
	assert_int_equal(json_integer_value(json_object_get(port_of(cur), "drops_delta")), 3);
	assert_int_equal(json_integer_value(json_object_get(port_of(cur), "ecn_marked_delta")), 7);
	assert_int_equal(json_integer_value(json_object_get(port_of(cur), "pfc_frames_delta")), 2);
	json_decref(prev);
	json_decref(cur);
}

static void no_rate_without_an_older_sample(void **state)
{
	json_t *cur = sample(3000000000LL, 5000, 5000), *same = sample(3000000000LL, 9000, 9000);

	(void)state;
	web_rates_add(cur, NULL);
	assert_null(json_object_get(port_of(cur), "tx_bps"));
	assert_null(json_object_get(cur, "interval_ns"));
	web_rates_add(same, cur); /* not older */
	assert_null(json_object_get(port_of(same), "tx_bps"));
	json_decref(cur);
	json_decref(same);
}

static void no_rate_when_counters_go_back(void **state)
{
	json_t *prev = sample(1000000000LL, 9000, 9000), *cur = sample(2000000000LL, 100, 9000);

	(void)state;
	web_rates_add(cur, prev);
	assert_null(json_object_get(port_of(cur), "tx_bps"));
	assert_null(json_object_get(port_of(cur), "rx_bps"));
	json_decref(prev);
	json_decref(cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rates_over_loomd_time),
		cmocka_unit_test(no_rate_without_an_older_sample),
		cmocka_unit_test(no_rate_when_counters_go_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
