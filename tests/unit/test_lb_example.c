/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The example policy (scheduler/lb/lb_example_least_bytes.c, walked
 * through in docs/POLICIES.md), used as the dataplane uses any policy:
 * found by name in the registry, init / select / feedback / fini. With
 * packets of mixed sizes it evens out bytes (to within one packet), where
 * round robin evens out packets and lets bytes drift.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb_fake_env.h"

static uint64_t spread_after(const char *name, uint64_t bytes[3])
{
	const struct lb_policy *p = lb_policy_at((unsigned int)lb_policy_id(name));
	struct fake_switch f;
	uint64_t lo = UINT64_MAX, hi = 0;
	void *st;

	fake_switch_init(&f, 3, 10000000000ull, 1);
	st = p->init(&f.g, &f.params);
	assert_non_null(st);
	for (uint32_t i = 0; i < 30000; i++) {
		/* every third packet is a jumbo: round robin puts them all on member 0 */
		struct lb_pkt pkt = {.flow_hash = i, .len = i % 3 == 0 ? 9000 : 64, .now = i};
		uint16_t m = p->select(st, &f.g, &pkt);

		assert_true(m < 3);
		if (p->feedback)
			p->feedback(st, &f.g, m, &pkt);
		bytes[m] += pkt.len;
	}
	p->fini(st);
	for (int m = 0; m < 3; m++) {
		lo = bytes[m] < lo ? bytes[m] : lo;
		hi = bytes[m] > hi ? bytes[m] : hi;
	}
	return hi - lo;
}

static void test_example_through_registry(void **state)
{
	uint64_t bytes[3] = {0}, rr_bytes[3] = {0};
	int id = lb_policy_id("least_bytes");

	(void)state;
	assert_true(id > 0);
	assert_non_null(lb_policy_at((unsigned int)id)->feedback);
	/* within one packet of the largest size */
	assert_true(spread_after("least_bytes", bytes) <= 9000);
	assert_true(bytes[0] > 0 && bytes[1] > 0 && bytes[2] > 0);
	/* round robin on the same sizes: every 9000-byte packet on member 0 */
	assert_true(spread_after("spray", rr_bytes) > 10 * 9000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_through_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
