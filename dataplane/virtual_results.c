/* SPDX-License-Identifier: BSD-3-Clause */
/* A virtual run's results (virtual_results.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config.h"
#include "ctl.h"
#include "gen_config.h"
#include "loom_output_file.h"
#include "virtual_results.h"

json_t *loomd_virtual_results(struct loom_fabric *f, const struct loom_vt_stats *vst, json_t *stats)
{
	/* a split run's stats come with every switch as the rank that ran it
	 * has it (loomd_mpi.c); one loomd's switches are written one at a time
	 * by loomd_write_results */
	json_t *out = stats ? stats : loom_fabric_stats_json_shell(f, NULL, vst->end_ns, false);

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

/* json_dumpf(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER) of a value nested
 * `depth` levels deep: jansson dumps it at depth 0, and at indent 1 a
 * nested value differs only by `depth` more spaces after each newline (a
 * string's newlines are escaped, so every newline is an indent). */
static int dump_nested(json_t *v, int depth, FILE *o) /* depth <= 8 */
{
	static const char spaces[] = "        ";
	char *text = json_dumps(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	int rc = text ? 0 : -1;

	for (const char *c = text, *nl; c && rc == 0; c = nl ? nl + 1 : NULL) {
		nl = strchr(c, '\n');
		size_t len = nl ? (size_t)(nl - c) + 1 : strlen(c);

		if (fwrite(c, 1, len, o) != len || (nl && fwrite(spaces, 1, (size_t)depth, o) != (size_t)depth))
			rc = -1;
	}
	free(text);
	return rc;
}

/* The results as json_dumpf(out, o, JSON_INDENT(1) | JSON_PRESERVE_ORDER)
 * writes them, byte for byte, member by member; with f, the member
 * "switches" (empty in out) is written from f's switches, each built and
 * freed in turn: a k=16 fat tree's whole tree was 135 MB, the run's
 * largest peak. */
static int write_results(json_t *out, const struct loom_fabric *f, FILE *o)
{
	const char *key;
	json_t *v;
	int rc = fputc('{', o) == EOF ? -1 : 0;
	bool first = true;

	json_object_foreach(out, key, v) {
		json_t *k = json_string(key);

		rc |= fputs(first ? "\n " : ",\n ", o) < 0 || !k || dump_nested(k, 1, o) < 0 || fputs(": ", o) < 0;
		json_decref(k);
		first = false;
		if (!f || strcmp(key, "switches") != 0 || f->n_switches == 0) {
			rc |= dump_nested(v, 1, o);
			continue;
		}
		rc |= fputc('[', o) == EOF;
		for (uint16_t s = 0; s < f->n_switches && rc == 0; s++) {
			json_t *sw = loom_fabric_switch_stats_json(f, NULL, s);

			rc |= fputs(s ? ",\n  " : "\n  ", o) < 0 || !sw || dump_nested(sw, 2, o) < 0;
			json_decref(sw);
		}
		rc |= fputs("\n ]", o) < 0;
	}
	rc |= fputs(first ? "}" : "\n}", o) < 0;
	return rc ? -1 : 0;
}

/* Writes and frees a virtual run's results: 0, or 1 (said). */
int loomd_write_results(json_t *out, const struct loom_fabric *f, const char *results)
{
	struct rusage ru;
	int rc;

	if (results) { /* no symlink followed; 0644: users read results */
		char why[320];
		FILE *rf = loom_output_open(results, LOOM_OUTPUT_SHARED, why, sizeof(why));

		if (!rf)
			fprintf(stderr, "loomd: %s\n", why);
		rc = rf && write_results(out, f, rf) == 0 ? 0 : -1;
		if (rf && fclose(rf) != 0)
			rc = -1;
	} else
		rc = write_results(out, f, stdout) < 0 || fputc('\n', stdout) == EOF ? -1 : 0;
	json_decref(out);
	if (rc < 0) {
		fprintf(stderr, "loomd: cannot write the results to %s\n", results ? results : "stdout");
		return 1;
	}
	/* over MPI the results' JSON is built whole before it is written: at
	 * scale its tree is the last peak (a k=32 fat tree's is ~200 MB of text) */
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "loomd: peak RSS with the results written: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}

double loomd_wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void loomd_print_run_figures(const struct loom_vt_stats *vst, double wall, double before_s, const struct rusage *ru,
			     const char *tag)
{
	double run_s = before_s + vst->setup_s + vst->loop_s;
	double hops = (double)vst->packets;

	fprintf(stderr,
		"loomd: virtual run: %lu events, %lu packet arrivals in %.3f s wall for %.6f s virtual: "
		"%.0f events/s, wall/virtual %.1f, peak RSS %ld MB%s\n",
		(unsigned long)vst->events, (unsigned long)vst->packets, wall, (double)vst->end_ns * 1e-9,
		wall > 0 ? (double)vst->events / wall : 0.0, wall / ((double)vst->end_ns * 1e-9), ru->ru_maxrss / 1024, tag);
	fprintf(stderr,
		"loomd: wall: set-up %.3f s (EAL, configuration, pool), loop %.3f s (%.3f us per packet-hop), "
		"run %.3f s (%.3f us per packet-hop); CPU %.3f s user, %.3f s system%s\n",
		before_s + vst->setup_s, vst->loop_s, hops ? vst->loop_s * 1e6 / hops : 0.0, run_s,
		hops ? run_s * 1e6 / hops : 0.0, (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec * 1e-6,
		(double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec * 1e-6, tag);
}
