/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quoting for the shell scripts loomctl writes and runs as root (the
 * iperf3 workload's script): any string from a topology, a workload or a
 * command line becomes one shell word that the shell takes literally.
 *
 * POSIX single quotes: everything between them is literal, except ' itself,
 * written as '\'' (close, escaped quote, reopen). Newlines, $, `, ;, |, &,
 * spaces, globs: all literal. Written here because neither libc nor the
 * libraries Loom uses offer it (glib's g_shell_quote would be a new
 * dependency for twenty lines).
 */
#ifndef LOOM_SHELL_QUOTE_H
#define LOOM_SHELL_QUOTE_H

#include <stddef.h>
#include <stdio.h>

/* Quote `s` into buf. 0, or -1 when it does not fit (buf is then ""). */
int loom_shell_quote(const char *s, char *buf, size_t len);

/* Write `s` quoted to `out`. 0 or -1 (write error). */
int loom_shell_quote_write(FILE *out, const char *s);

/* A script comment line may not carry a newline: `s` with every control
 * character replaced by '?', for "# ..." lines. */
int loom_shell_comment_write(FILE *out, const char *s);

#endif
