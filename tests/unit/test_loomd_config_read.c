/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd's typed access to its configuration (api/loomd_config_read.h):
 *  - a key present with another JSON type: -1, "KEY must be TYPE";
 *  - absent keys give NULL or the default; negative values refused as u64;
 *  - unknown keys of an object kind, from the contract's table;
 *  - the shadow holds exactly what was read, nested objects and arrays
 *    included, plus the keys loomd carries unread of the objects it read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loomd_config_read.h"

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void test_types(void **state)
{
	json_t *sw = parse("{\"name\": \"leaf0\", \"hash_seed\": \"7\", \"plane\": -1}");
	const char *s;
	json_int_t i;
	uint64_t u;
	char err[128];

	(void)state;
	assert_int_equal(loomd_cfg_string(sw, LOOMD_SWITCH_NAME, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "leaf0");
	assert_int_equal(loomd_cfg_int(sw, LOOMD_SWITCH_HASH_SEED, 0, &i, err, sizeof(err)), -1);
	assert_string_equal(err, "hash_seed must be an integer");
	assert_int_equal(loomd_cfg_u64(sw, LOOMD_SWITCH_PLANE, 0, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "plane must be a non-negative integer");
	assert_int_equal(loomd_cfg_int(sw, LOOMD_SWITCH_ID, 42, &i, err, sizeof(err)), 0);
	assert_int_equal(i, 42);
	assert_int_equal(loomd_cfg_string(sw, LOOMD_SWITCH_ROLE, &s, err, sizeof(err)), 0);
	assert_null(s);
	json_decref(sw);
}

static void test_unknown_key(void **state)
{
	json_t *lb = parse("{\"mode\": \"spray\", \"flowlet\": 4}");

	(void)state;
	assert_string_equal(loomd_cfg_unknown_key(lb, LOOMD_OBJ_LB), "flowlet");
	json_object_del(lb, "flowlet");
	assert_null(loomd_cfg_unknown_key(lb, LOOMD_OBJ_LB));
	json_decref(lb);
}

static void test_shadow(void **state)
{
	json_t *root = parse("{\"fabric\": \"f\", \"seed\": 3, \"switches\": [{\"name\": \"a\", \"id\": 0, "
			     "\"nexthops\": [{\"port\": 1, \"mac\": \"02:00:00:00:00:01\", \"peer\": \"b\"}]}]}");
	json_t *expect = parse("{\"fabric\": \"f\", \"switches\": [{\"name\": \"a\", "
			       "\"nexthops\": [{\"port\": 1, \"peer\": \"b\"}]}]}");
	json_t *switches, *nhs, *read;
	const char *s;
	json_int_t i;
	char err[128];

	(void)state;
	assert_int_equal(loomd_cfg_record_start(root), 0);
	assert_int_equal(loomd_cfg_string(root, LOOMD_ROOT_FABRIC, &s, err, sizeof(err)), 0);
	assert_int_equal(loomd_cfg_get(root, LOOMD_ROOT_SWITCHES, &switches, err, sizeof(err)), 0);
	/* read twice: recorded once */
	assert_int_equal(loomd_cfg_get(root, LOOMD_ROOT_SWITCHES, &switches, err, sizeof(err)), 0);
	assert_int_equal(loomd_cfg_string(json_array_get(switches, 0), LOOMD_SWITCH_NAME, &s, err, sizeof(err)), 0);
	assert_int_equal(loomd_cfg_get(json_array_get(switches, 0), LOOMD_SWITCH_NEXTHOPS, &nhs, err, sizeof(err)), 0);
	assert_int_equal(loomd_cfg_int(json_array_get(nhs, 0), LOOMD_NEXTHOP_PORT, 0, &i, err, sizeof(err)), 0);
	read = loomd_cfg_record_finish();
	assert_true(json_equal(read, expect));
	/* not recording any more */
	assert_int_equal(loomd_cfg_int(root, LOOMD_ROOT_SEED, 0, &i, err, sizeof(err)), 0);
	assert_null(json_object_get(read, "seed"));
	json_decref(read);
	json_decref(expect);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_shadow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
