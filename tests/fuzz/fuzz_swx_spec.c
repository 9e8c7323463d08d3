/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the SWX spec reader (dataplane/p4/swx_spec.c) as
 * loom-p4check runs it (Loom's reader alone, DPDK's own parser
 * rte_swx_pipeline_codegen, then the reader on a throwaway pipeline) and
 * as loomd runs it (the reader straight onto a pipeline, DPDK's parser
 * never involved). No EAL. A refusal must name the file. */
#include <rte_swx_pipeline.h>

#include "swx_spec.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, ".spec");
	char err[768] = "";
	struct rte_swx_pipeline *p = NULL;

	if (swx_spec_check(path, err, sizeof(err)) < 0 && strncmp(err, path, strlen(path)) != 0) {
		fprintf(stderr, "error does not name the file: %s\n", err);
		abort();
	}
	if (rte_swx_pipeline_config(&p, NULL, 0) != 0)
		abort();
	err[0] = '\0';
	if (swx_spec_configure(p, path, err, sizeof(err)) < 0 && strncmp(err, path, strlen(path)) != 0) {
		fprintf(stderr, "error does not name the file: %s\n", err);
		abort();
	}
	rte_swx_pipeline_free(p);
	return 0;
}
