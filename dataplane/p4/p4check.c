/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom-p4check SPEC...: validate DPDK SWX specs without EAL (CI and
 * students). Prints "FILE:LINE: what" for the first problem of each spec;
 * exits 1 when any spec is refused.
 */
#include <stdio.h>

#include "swx_spec.h"

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: loom-p4check SPEC...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char err[768];

		if (swx_spec_check(argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			bad = 1;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return bad;
}
