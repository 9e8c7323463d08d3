/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shell quoting (control/shell/shell_quote.h): hostile strings -- quotes,
 * $(...), backticks, ;, |, &, newlines, globs, spaces, the empty string --
 * each become one word that /bin/sh gives back byte for byte (printf %s of
 * the word, through a pipe), and nothing they name runs (a command that
 * would create a file does not). Too small a buffer is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell/shell_quote.h"

static const char *const hostile[] = {
	"plain",
	"",
	"it's",
	"''",
	"a b\tc",
	"x; touch %s",
	"$(touch %s)",
	"`touch %s`",
	"a\ntouch %s\n",
	"'; touch %s; echo '",
	"\\'$HOME\"*?[a]{b,c}~|&><!#",
};

/* What /bin/sh makes of `printf %s WORD`. */
static char *shell_echo(const char *word)
{
	char cmd[4096];
	static char out[4096];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "printf %%s %s", word);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

static void test_round_trip_through_sh(void **state)
{
	char dir[] = "/tmp/loom-quote-XXXXXX", canary[64], s[256], q[1024];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(canary, sizeof(canary), "%s/ran", dir);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(s, sizeof(s), hostile[i], canary);
		assert_int_equal(loom_shell_quote(s, q, sizeof(q)), 0);
		assert_string_equal(shell_echo(q), s);
		assert_int_equal(access(canary, F_OK), -1);
	}
	rmdir(dir);
}

static void test_write_matches_buffer(void **state)
{
	char q[256], *mem = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	assert_int_equal(loom_shell_quote_write(f, "a'b$c"), 0);
	fclose(f);
	assert_int_equal(loom_shell_quote("a'b$c", q, sizeof(q)), 0);
	assert_string_equal(mem, q);
	assert_string_equal(q, "'a'\\''b$c'");
	free(mem);
}

static void test_too_small_and_comment(void **state)
{
	char q[6], *mem = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(loom_shell_quote("abc", q, sizeof(q)), 0); /* 'abc' + NUL */
	assert_int_equal(loom_shell_quote("abcd", q, sizeof(q)), -1);
	assert_string_equal(q, "");
	assert_int_equal(loom_shell_quote("x", q, 0), -1);
	f = open_memstream(&mem, &len);
	assert_int_equal(loom_shell_comment_write(f, "a\nrm -rf /\r"), 0);
	fclose(f);
	assert_string_equal(mem, "a?rm -rf /?");
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_through_sh),
		cmocka_unit_test(test_write_matches_buffer),
		cmocka_unit_test(test_too_small_and_comment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
