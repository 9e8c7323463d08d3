/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route tables shared by switches (dataplane/core/route_table.c), the LPM
 * kind (no EAL needed):
 *  - two switches attached to one table both see its routes (refs 2);
 *  - loom_switch_route_set on one of them gives it a copy first (copy on
 *    write): its change is its own, the other keeps the shared routes,
 *    both tables hold one reference each, and the copy has every route;
 *  - a change to a table nobody else uses is made in place;
 *  - removing a route, and a bad prefix length, through the same function;
 *  - the switch's data-path fields follow its table (lpm, no_route).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "route_table.h"
#include "switch.h"

static const uint8_t NET1[16] = {10, 0, 1, 0}, NET2[16] = {10, 0, 2, 0}, HOST[16] = {10, 0, 1, 7};

static uint32_t lookup(const struct loom_switch *sw, const uint8_t a[16])
{
	return loom_lpm_lookup4(sw->lpm, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3]);
}

static void test_copy_on_write(void **state)
{
	struct loom_route_table_cfg cfg = {.kind4 = LOOM_RT_LPM, .kind6 = LOOM_RT_LPM, .n_routes = 2, .n_groups = 4};
	struct loom_switch a = {0}, b = {0};
	char err[128];
	struct loom_route_table *t = loom_route_table_create(&cfg, err, sizeof(err));
	uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 1};

	(void)state;
	assert_non_null(t);
	loom_switch_route_table_attach(&a, t);
	assert_int_equal(loom_switch_route_set(&a, 4, NET1, 24, 1, err, sizeof(err)), 0); /* in place */
	assert_ptr_equal(a.routes, t);
	assert_int_equal(loom_switch_route_set(&a, 4, NET2, 24, 2, err, sizeof(err)), 0);
	assert_int_equal(loom_switch_route_set(&a, 6, v6, 64, 3, err, sizeof(err)), 0);
	loom_switch_route_table_attach(&b, t);
	assert_int_equal(t->refs, 2);
	assert_ptr_equal(a.lpm, b.lpm);
	assert_null(a.fib4);
	assert_int_equal(a.fib4_no_route, LOOM_LPM_NONE);
	assert_int_equal(lookup(&b, HOST), 1);

	/* b changes: b gets its own copy, a keeps the shared routes */
	assert_int_equal(loom_switch_route_set(&b, 4, HOST, 32, 3, err, sizeof(err)), 0);
	assert_ptr_not_equal(b.routes, t);
	assert_ptr_equal(a.routes, t);
	assert_int_equal(t->refs, 1);
	assert_int_equal(b.routes->refs, 1);
	assert_int_equal(lookup(&b, HOST), 3);
	assert_int_equal(lookup(&a, HOST), 1);
	assert_int_equal(lookup(&b, NET2), 2); /* the copy has every route */
	assert_int_equal(loom_lpm_lookup6(b.lpm, v6), 3);

	/* remove, through the same function; a bad length changes nothing */
	assert_int_equal(loom_switch_route_set(&b, 4, NET2, 24, LOOM_LPM_NONE, err, sizeof(err)), 0);
	assert_int_equal(lookup(&b, NET2), LOOM_LPM_NONE);
	assert_int_equal(lookup(&a, NET2), 2);
	assert_int_equal(loom_switch_route_set(&a, 4, NET1, 33, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "prefix length out of range");
	assert_int_equal(lookup(&a, HOST), 1);

	loom_route_table_put(a.routes);
	loom_route_table_put(b.routes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_on_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
