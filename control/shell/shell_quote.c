/* SPDX-License-Identifier: BSD-3-Clause */
/* POSIX single-quote quoting (shell_quote.h). */
#include "shell/shell_quote.h"

int loom_shell_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;

#define PUT(c)                          \
	do {                            \
		if (n + 1 >= len)       \
			goto full;      \
		buf[n++] = (c);         \
	} while (0)
	if (len == 0)
		return -1;
	PUT('\'');
	for (; *s; s++) {
		if (*s == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
			PUT('\'');
		} else {
			PUT(*s);
		}
	}
	PUT('\'');
	buf[n] = '\0';
	return 0;
full:
	buf[0] = '\0';
	return -1;
#undef PUT
}

int loom_shell_quote_write(FILE *out, const char *s)
{
	if (fputc('\'', out) == EOF)
		return -1;
	for (; *s; s++)
		if ((*s == '\'' ? fputs("'\\''", out) : fputc(*s, out)) == EOF)
			return -1;
	return fputc('\'', out) == EOF ? -1 : 0;
}

int loom_shell_comment_write(FILE *out, const char *s)
{
	for (; *s; s++)
		if (fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out) == EOF)
			return -1;
	return 0;
}
