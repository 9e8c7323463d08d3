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
 *  - the switch's data-path fields follow its table (lpm, no_route);
 *  - loom_route_table_walk lists every route as it is now (family,
 *    network-order prefix with host bits clear, length, group), removed
 *    ones gone, and stops when its visitor says so; routes_changed counts
 *    the changes that happened (a refused one is not counted).
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

struct seen_routes {
	int n, stop_after;
	int family[8];
	uint8_t addr[8][16], len[8];
	uint32_t group[8];
};

static int see_route(void *ctx, int family, const uint8_t addr[16], uint8_t len, uint32_t group)
{
	struct seen_routes *r = ctx;

	if (r->n == 8)
		return -1;
	r->family[r->n] = family;
	memcpy(r->addr[r->n], addr, 16);
	r->len[r->n] = len;
	r->group[r->n++] = group;
	return r->n == r->stop_after ? 7 : 0;
}

/* The walk's route for (family, addr/len), or -1. */
static int seen(const struct seen_routes *r, int family, const uint8_t addr[16], uint8_t len)
{
	for (int i = 0; i < r->n; i++)
		if (r->family[i] == family && r->len[i] == len && memcmp(r->addr[i], addr, 16) == 0)
			return (int)r->group[i];
	return -1;
}

static void test_walk_and_changes(void **state)
{
	struct loom_route_table_cfg cfg = {.kind4 = LOOM_RT_LPM, .kind6 = LOOM_RT_LPM, .n_routes = 4, .n_groups = 4};
	struct loom_switch a = {0};
	struct seen_routes r = {0};
	char err[128];
	struct loom_route_table *t = loom_route_table_create(&cfg, err, sizeof(err));
	uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 1, 0xff}; /* host bits set past /64 */
	const uint8_t v6_net[16] = {0xfd, 0, 0, 0, 0, 0, 0, 1};

	(void)state;
	assert_non_null(t);
	loom_switch_route_table_attach(&a, t);
	assert_int_equal(loom_switch_route_set(&a, 4, HOST, 24, 1, err, sizeof(err)), 0); /* 10.0.1.7/24 */
	assert_int_equal(loom_switch_route_set(&a, 4, NET2, 24, 2, err, sizeof(err)), 0);
	assert_int_equal(loom_switch_route_set(&a, 6, v6, 64, 3, err, sizeof(err)), 0);
	assert_int_equal(loom_switch_route_set(&a, 4, NET2, 24, LOOM_LPM_NONE, err, sizeof(err)), 0);
	assert_int_equal(loom_switch_route_set(&a, 4, NET1, 40, 1, err, sizeof(err)), -1);
	assert_int_equal(a.routes_changed, 4);

	assert_int_equal(loom_route_table_walk(a.routes, see_route, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(seen(&r, 4, NET1, 24), 1);
	assert_int_equal(seen(&r, 6, v6_net, 64), 3);
	assert_int_equal(seen(&r, 4, NET2, 24), -1);

	memset(&r, 0, sizeof(r));
	r.stop_after = 1;
	assert_int_equal(loom_route_table_walk(a.routes, see_route, &r), 7);
	assert_int_equal(r.n, 1);

	loom_route_table_put(a.routes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_on_write),
		cmocka_unit_test(test_walk_and_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
