/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files created as root without following a symbolic link anywhere on the
 * path (api/loom_open_nofollow.h), by openat2() and by the walk older
 * kernels get: a link as a directory component is refused and nothing is
 * created where it points; a link in place of the file too; a real path
 * is created, and the same path through the output-file opener
 * (loom_output_file.h) is refused with a message that says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "loom_open_nofollow.h"
#include "loom_output_file.h"

struct tree {
	char root[64];  /* mkdtemp */
	char real[PATH_MAX];   /* root/real: a directory */
	char target[PATH_MAX]; /* root/target: where the links point */
	char link[PATH_MAX];   /* root/link -> target (a directory component) */
};

static int setup(void **state)
{
	static struct tree t;

	snprintf(t.root, sizeof(t.root), "/tmp/loom-nofollow-XXXXXX");
	assert_non_null(mkdtemp(t.root));
	snprintf(t.real, sizeof(t.real), "%s/real", t.root);
	snprintf(t.target, sizeof(t.target), "%s/target", t.root);
	snprintf(t.link, sizeof(t.link), "%s/link", t.root);
	assert_int_equal(mkdir(t.real, 0700), 0);
	assert_int_equal(mkdir(t.target, 0700), 0);
	assert_int_equal(symlink(t.target, t.link), 0);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	return system(cmd) == 0 ? 0 : -1;
}

typedef int (*opener)(const char *, int, mode_t);

static void check_opener(struct tree *t, opener open_fn)
{
	char p[PATH_MAX], q[PATH_MAX];
	struct stat st;
	int fd;

	/* a real directory: created */
	snprintf(p, sizeof(p), "%s/a.json", t->real);
	unlink(p);
	fd = open_fn(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* a symlinked directory on the way: refused, nothing in the target */
	snprintf(p, sizeof(p), "%s/b.json", t->link);
	snprintf(q, sizeof(q), "%s/b.json", t->target);
	errno = 0;
	assert_int_equal(open_fn(p, O_WRONLY | O_CREAT, 0600), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_int_equal(access(q, F_OK), -1);
	/* deeper: real/../link/c.json passes the link in the middle */
	snprintf(p, sizeof(p), "%s/../link/c.json", t->real);
	assert_int_equal(open_fn(p, O_WRONLY | O_CREAT, 0600), -1);
	snprintf(q, sizeof(q), "%s/c.json", t->target);
	assert_int_equal(access(q, F_OK), -1);
	/* a link in place of the file */
	snprintf(p, sizeof(p), "%s/d.json", t->real);
	snprintf(q, sizeof(q), "%s/d-target", t->target);
	unlink(p);
	assert_int_equal(symlink(q, p), 0);
	errno = 0;
	assert_int_equal(open_fn(p, O_WRONLY | O_CREAT, 0600), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(access(q, F_OK), -1);
	/* a relative path from the working directory */
	assert_int_equal(chdir(t->root), 0);
	fd = open_fn("real/e.json", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(open_fn("link/e.json", O_WRONLY | O_CREAT, 0600), -1);
	assert_int_equal(chdir("/"), 0);
}

static void test_openat2(void **state)
{
	check_opener(*state, loom_open_nofollow);
}

static void test_walk(void **state)
{
	check_opener(*state, loom_open_nofollow_walk);
}

static void test_output_file_refuses_a_linked_directory(void **state)
{
	struct tree *t = *state;
	char p[PATH_MAX], q[PATH_MAX], err[PATH_MAX + 128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/results.json", t->link);
	snprintf(q, sizeof(q), "%s/results.json", t->target);
	f = loom_output_open(p, LOOM_OUTPUT_SHARED, err, sizeof(err));
	assert_null(f);
	assert_non_null(strstr(err, "a symbolic link"));
	assert_non_null(strstr(err, p));
	assert_int_equal(access(q, F_OK), -1);
	snprintf(p, sizeof(p), "%s/results.json", t->real);
	f = loom_output_open(p, LOOM_OUTPUT_SHARED, err, sizeof(err));
	assert_non_null(f);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_output_file_refuses_a_linked_directory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
