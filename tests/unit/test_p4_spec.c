/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p4/loom.spec validates (DPDK's rte_swx_pipeline_codegen() and Loom's spec
 * reader, no EAL), and broken copies of it are refused with their line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_swx_pipeline.h>

#include "swx_spec.h"

#define SPEC LOOM_SOURCE_ROOT "/p4/loom.spec"

/* A copy of loom.spec with the first line containing `find` replaced by
 * `repl` (NULL: nothing replaced, `append` added at the end). Returns the
 * replaced line's number; the copy's path is in `path`. */
static unsigned int broken_copy(char *path, size_t len, const char *find, const char *repl, const char *append)
{
	FILE *in = fopen(SPEC, "r"), *out;
	char line[1024];
	unsigned int n = 0, at = 0;
	int fd;

	assert_non_null(in);
	snprintf(path, len, "/tmp/loom-spec-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		n++;
		if (!at && find && strstr(line, find)) {
			at = n;
			fputs(repl, out);
			continue;
		}
		fputs(line, out);
	}
	if (append) {
		fputs(append, out);
		at = n + 1;
	}
	fclose(in);
	fclose(out);
	assert_true(at > 0);
	return at;
}

static void expect_refused_at(const char *path, unsigned int line, const char *what)
{
	char err[768], want[600];

	assert_int_equal(swx_spec_check(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%u: ", path, line);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("expected an error at %s (%s), got: %s", want, what, err);
	if (what && !strstr(err, what))
		fail_msg("error does not say '%s': %s", what, err);
}

static void loom_spec_is_valid(void **state)
{
	char err[768] = "";
	(void)state;
	if (swx_spec_check(SPEC, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* A syntax error: DPDK's own parser names the line. */
static void syntax_error_names_its_line(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), "bit<16> ether_type", "\tbit<16 ether_type\n", NULL);
	(void)state;
	expect_refused_at(path, at, NULL);
	unlink(path);
}

/* An action using a field that does not exist: DPDK names no line, the
 * reader names the action's. */
static void bad_operand_names_its_block(void **state)
{
	char path[64];
	unsigned int at;
	(void)state;

	/* the mov is the action's first line after its header */
	at = broken_copy(path, sizeof(path), "mov m.local_metadata_group_id t.group_id",
			 "\tmov m.local_metadata_no_such_field t.group_id\n", NULL);
	expect_refused_at(path, at - 1, "action set_group");
	unlink(path);
}

static void unsupported_statement_is_named(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), NULL, NULL, "learner flows {\n}\n");
	(void)state;
	expect_refused_at(path, at, "not supported");
	unlink(path);
}

/* DPDK 22.11 would run it on the first register array (hash_seed): refused. */
static void constant_register_write_is_refused(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), "regadd spray_counter",
				      "\tregadd spray_counter 0x0 0x1\n", NULL);
	(void)state;
	expect_refused_at(path, at, "regadd spray_counter with a constant index and a constant value");
	unlink(path);
	at = broken_copy(path, sizeof(path), "regadd spray_counter", "\tregwr spray_mode 0x0 0x1\n", NULL);
	expect_refused_at(path, at, "regwr spray_mode");
	unlink(path);
}

/* A default action outside its table's list crashed DPDK's
 * rte_swx_pipeline_table_config() (SEGV in loomd and loom-p4check, or a
 * use-after-free of the previous table's names): refused at its line,
 * by swx_spec_check() and by the reader loomd runs on a real pipeline. */
static void default_action_outside_list_is_refused(void **state)
{
	char path[64], err[768], want[128];
	struct rte_swx_pipeline *p = NULL;
	unsigned int at = broken_copy(path, sizeof(path), "default_action drop_no_route",
				      "\tdefault_action set_nexthop args port 1 const\n", NULL);
	(void)state;

	expect_refused_at(path, at, "table route_v4: default_action set_nexthop is not in its actions list");
	assert_int_equal(rte_swx_pipeline_config(&p, NULL, 0), 0);
	assert_int_equal(swx_spec_configure(p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%u: table route_v4: default_action set_nexthop is not in its actions list",
		 path, at);
	assert_string_equal(err, want);
	rte_swx_pipeline_free(p);
	unlink(path);
}

/* The second crash: the list lacks the default action. */
static void default_action_missing_from_list_is_refused(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), "drop_no_route @defaultonly", "\n", NULL);
	(void)state;
	/* route_v4's default_action is 2 lines below its actions list's second entry */
	expect_refused_at(path, at + 2, "table route_v4: default_action drop_no_route is not in its actions list");
	unlink(path);
}

static void default_action_tableonly_is_refused(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), "drop_no_route @defaultonly", "\t\tdrop_no_route @tableonly\n",
				      NULL);
	(void)state;

	expect_refused_at(path, at + 2, "default_action drop_no_route is marked @tableonly");
	unlink(path);
}

/* A repeated default_action or hash leaked the first string: refused. */
static void repeated_default_action_and_hash_are_refused(void **state)
{
	char path[64];
	unsigned int at = broken_copy(path, sizeof(path), "default_action drop_no_route",
				      "\tdefault_action drop_no_route args none\n\tdefault_action drop_no_route args none\n",
				      NULL);
	char want[64];
	(void)state;

	snprintf(want, sizeof(want), "default_action given twice (first on line %u)", at);
	expect_refused_at(path, at + 1, want);
	unlink(path);
	at = broken_copy(path, sizeof(path), "size 0x10000", "\thash crc32\n\thash jhash\n", NULL);
	snprintf(want, sizeof(want), "hash given twice (first on line %u)", at);
	expect_refused_at(path, at + 1, want);
	unlink(path);
}

static void missing_file_is_reported(void **state)
{
	char err[256];
	(void)state;
	assert_int_equal(swx_spec_check("/nonexistent/loom.spec", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/loom.spec"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loom_spec_is_valid),
		cmocka_unit_test(syntax_error_names_its_line),
		cmocka_unit_test(bad_operand_names_its_block),
		cmocka_unit_test(unsupported_statement_is_named),
		cmocka_unit_test(constant_register_write_is_refused),
		cmocka_unit_test(default_action_outside_list_is_refused),
		cmocka_unit_test(default_action_missing_from_list_is_refused),
		cmocka_unit_test(default_action_tableonly_is_refused),
		cmocka_unit_test(repeated_default_action_and_hash_are_refused),
		cmocka_unit_test(missing_file_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
