/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl pipeline SWITCH native|p4 [--spec FILE]`: switch what forwards a
 * running switch's packets, Loom's native stages or a P4 program on DPDK's
 * SWX pipeline (docs/P4.md). loomd's `pipeline` command builds the new
 * pipeline on its control thread and swaps it in between two bursts; a spec
 * that does not load is refused with its file and line, and the switch
 * keeps what it had.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "pipeline_cmd.h"

static int usage_error(const char *msg)
{
	fprintf(stderr, "loomctl: %s\nusage: loomctl pipeline SWITCH native|p4 [--spec FILE]\n", msg);
	return 2;
}

int cmd_pipeline(int argc, char **argv)
{
	const char *sw = NULL, *pipeline = NULL, *spec = NULL;
	char abs_spec[PATH_MAX];
	json_t *extra, *r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--spec") == 0) {
			if (++i == argc)
				return usage_error("--spec needs a FILE");
			spec = argv[i];
		} else if (argv[i][0] == '-' || (sw && pipeline)) {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n", argv[i]);
			return 2;
		} else if (!sw) {
			sw = argv[i];
		} else {
			pipeline = argv[i];
		}
	}
	if (!sw || !pipeline)
		return usage_error("pipeline needs SWITCH and native or p4");
	if (strcmp(pipeline, "native") != 0 && strcmp(pipeline, "p4") != 0)
		return usage_error("the pipeline is native or p4");
	if (spec && strcmp(pipeline, "p4") != 0)
		return usage_error("--spec goes with p4");
	/* loomd opens the spec from its own working directory: send it a
	 * whole path */
	if (spec && !realpath(spec, abs_spec)) {
		perror(spec);
		return 1;
	}
	extra = json_pack("{s:s, s:s}", "switch", sw, "pipeline", pipeline);
	if (spec)
		json_object_set_new(extra, "p4_spec", json_string(abs_spec));
	r = ctl_call_or_report("pipeline", extra);
	if (!r)
		return 1;
	printf("%s: pipeline %s%s%s\n", sw, pipeline, spec ? " from " : "", spec ? abs_spec : "");
	json_decref(r);
	return 0;
}
