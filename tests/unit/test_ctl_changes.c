/* SPDX-License-Identifier: BSD-3-Clause */
/* The live-change recorder (dataplane/ctl/ctl_changes.h): records replayed
 * in order, a later change of the same key replacing the earlier one's file,
 * damaged files skipped with their name and problem, symlinks never read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_changes.h"

struct applied {
	char keys[16][CTL_CHANGE_KEY_MAX];
	int n;
	const char *refuse; /* a key the apply refuses */
};

static int apply(void *ctx, const char *key, json_t *req, char *err, size_t errlen)
{
	struct applied *a = ctx;

	assert_non_null(json_object_get(req, "cmd"));
	if (a->refuse && strcmp(key, a->refuse) == 0) {
		snprintf(err, errlen, "refused");
		return -1;
	}
	snprintf(a->keys[a->n++], CTL_CHANGE_KEY_MAX, "%s", key);
	return 0;
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/loom-changes-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir); /* our own mkdtemp name */
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void record(struct ctl_changes *c, const char *key, const char *cmd)
{
	char err[256];
	json_t *req = json_pack("{s:s}", "cmd", cmd);

	assert_int_equal(ctl_changes_record(c, key, req, err, sizeof(err)), 0);
	json_decref(req);
}

static int count_files(void)
{
	char cmd[128];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_order_and_supersede(void **state)
{
	struct ctl_changes c;
	struct applied a = {0};
	char err[256];
	json_t *r;

	(void)state;
	assert_int_equal(ctl_changes_open(&c, dir, err, sizeof(err)), 0);
	record(&c, "lb_set * group -1", "lb_set");
	record(&c, "tm leaf0:3 ecn.k", "tm");
	record(&c, "lb_set leaf0 group 1", "lb_set");
	record(&c, "tm leaf0:3 ecn.k", "tm"); /* replaces the second */
	assert_int_equal(count_files(), 3);
	ctl_changes_close(&c);

	/* a restarted loomd: the same directory, replayed in order */
	assert_int_equal(ctl_changes_open(&c, dir, err, sizeof(err)), 0);
	r = ctl_changes_replay(&c, apply, &a);
	assert_int_equal(json_integer_value(json_object_get(r, "replayed")), 3);
	assert_int_equal(json_array_size(json_object_get(r, "skipped")), 0);
	json_decref(r);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.keys[0], "lb_set * group -1");
	assert_string_equal(a.keys[1], "lb_set leaf0 group 1");
	assert_string_equal(a.keys[2], "tm leaf0:3 ecn.k");
	/* after the replay, a new change of a replayed key still replaces it,
	 * and numbering goes on after the last file */
	record(&c, "lb_set * group -1", "lb_set");
	assert_int_equal(count_files(), 3);
	assert_int_equal(c.next_seq, 5);
	ctl_changes_close(&c);
}

static void test_damaged_files_skipped(void **state)
{
	struct ctl_changes c;
	struct applied a = {.refuse = "tm leaf9:0 rate"};
	char err[256], path[128];
	json_t *r, *s;
	size_t i;

	(void)state;
	write_file("00000001.json", "{\"key\": \"lb_set * group -1\", \"request\": {\"cmd\": \"lb_set\"}}");
	write_file("00000002.json", "{\"key\": \"tm leaf0:0 ecn.k\", \"request\": {\"cmd\": \"tm\"");  /* cut short */
	write_file("00000003.json", "[1, 2]");
	write_file("00000004.json", "{\"key\": \"tm leaf9:0 rate\", \"request\": {\"cmd\": \"tm\"}}"); /* refused */
	write_file("notes.txt", "hello");
	write_file(".tmp-00000009", "half");
	snprintf(path, sizeof(path), "%s/00000005.json", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	write_file("00000006.json", "{\"key\": \"lb_set leaf1 group -1\", \"request\": {\"cmd\": \"lb_set\"}}");

	assert_int_equal(ctl_changes_open(&c, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/.tmp-00000009", dir);
	assert_int_equal(access(path, F_OK), -1); /* a killed loomd's half file: removed */
	r = ctl_changes_replay(&c, apply, &a);
	assert_int_equal(json_integer_value(json_object_get(r, "replayed")), 2);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.keys[1], "lb_set leaf1 group -1"); /* the ones after the damaged ones still apply */
	s = json_object_get(r, "skipped");
	assert_int_equal(json_array_size(s), 5);
	const char *want[][2] = {
		{"00000002.json", "not JSON (line 1"},
		{"00000003.json", "not a change"},
		{"00000004.json", "refused"},
		{"00000005.json", "a symlink"},
		{"notes.txt", "not a change file"},
	};
	for (i = 0; i < 5; i++) {
		json_t *e = json_array_get(s, i);
		const char *file = json_string_value(json_object_get(e, "file"));
		const char *why = json_string_value(json_object_get(e, "error"));

		assert_non_null(strstr(file, want[i][0]));
		assert_non_null(strstr(file, dir));
		assert_non_null(strstr(why, want[i][1]));
	}
	/* the file's content is not quoted back (the symlink's target: not read) */
	assert_null(strstr(json_string_value(json_object_get(json_array_get(s, 3), "error")), "\n"));
	json_decref(r);
	assert_int_equal(c.next_seq, 7);
	ctl_changes_close(&c);
}

static void test_directory_checks(void **state)
{
	struct ctl_changes c;
	char err[256], link[80];

	(void)state;
	/* a symlink in place of the directory */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("/tmp", link), 0);
	assert_int_equal(ctl_changes_open(&c, link, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a directory"));
	/* writable by others */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(ctl_changes_open(&c, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not writable by group or others"));
	assert_int_equal(chmod(dir, 0700), 0);
	/* created when missing, 0700 */
	char sub[96];
	struct stat st;
	snprintf(sub, sizeof(sub), "%s/new", dir);
	assert_int_equal(ctl_changes_open(&c, sub, err, sizeof(err)), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	ctl_changes_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_supersede, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_damaged_files_skipped, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_directory_checks, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
