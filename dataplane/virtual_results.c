/* SPDX-License-Identifier: BSD-3-Clause */
/* A virtual run's results (virtual_results.h). */
#include <stdio.h>
#include <sys/resource.h>

#include "config.h"
#include "ctl.h"
#include "gen_config.h"
#include "loom_output_file.h"
#include "virtual_results.h"

json_t *loomd_virtual_results(struct loom_fabric *f, const struct loom_vt_stats *vst, json_t *stats)
{
	/* a split run's stats come with every switch as the rank that ran it has it (loomd_mpi.c) */
	json_t *out = stats ? stats : loom_fabric_stats_json(f, NULL, vst->end_ns);

	if (!out)
		return NULL;
	json_object_set_new(out, "clock", json_string("virtual"));
	json_object_set_new(out, "seed", json_integer((json_int_t)f->seed));
	json_object_set_new(out, "events", json_integer((json_int_t)vst->events));
	json_object_set_new(out, "in_flight", json_integer((json_int_t)vst->in_flight));
	json_object_set_new(out, "hosts", loom_gen_hosts_json(f));
	json_object_set_new(out, "flows", loom_gen_flows_json(f));
	loom_observe_results(f, out); /* the configuration's trace and captures */
	return out;
}

/* Writes and frees a virtual run's results: 0, or 1 (said). */
int loomd_write_results(json_t *out, const char *results)
{
	struct rusage ru;
	int rc;

	if (results) { /* no symlink followed; 0644: users read results */
		char why[320];
		FILE *rf = loom_output_open(results, LOOM_OUTPUT_SHARED, why, sizeof(why));

		if (!rf)
			fprintf(stderr, "loomd: %s\n", why);
		rc = rf && json_dumpf(out, rf, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
		if (rf && fclose(rf) != 0)
			rc = -1;
	} else
		rc = json_dumpf(out, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', stdout) == EOF ? -1 : 0;
	json_decref(out);
	if (rc < 0) {
		fprintf(stderr, "loomd: cannot write the results to %s\n", results ? results : "stdout");
		return 1;
	}
	/* the results' JSON is built whole before it is written: at scale its
	 * tree is the last peak (a k=32 fat tree's is ~200 MB of text) */
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "loomd: peak RSS with the results written: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
