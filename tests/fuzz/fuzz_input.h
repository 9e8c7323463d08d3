/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the libFuzzer harnesses: the loaders take a NUL-terminated
 * string or a file, libFuzzer gives bytes.
 */
#ifndef LOOM_FUZZ_INPUT_H
#define LOOM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A NUL-terminated copy (an embedded NUL ends the text, as it would for a
 * file read as a C string); the caller frees it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char fuzz_file_path[128];

static inline void fuzz_file_remove(void)
{
	unlink(fuzz_file_path);
}

/* The input as a file, for loaders that read a path: one file per process,
 * rewritten for each input (libFuzzer runs inputs one after another),
 * removed at exit. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	char *path = fuzz_file_path;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(fuzz_file_path), "/tmp/loom-fuzz-%d%s", (int)getpid(), suffix);
		atexit(fuzz_file_remove);
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
