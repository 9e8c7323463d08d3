/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd --mpi (loomd_mpi.h): every rank loads the fabric, runs its
 * partition (runner/runner_mpi.c), and rank 0 writes the results: each
 * switch's stats as the rank that ran it has them, each generator host's
 * state copied from its rank, the sums of events and packets in flight.
 * What differs by rank count (wall time, each rank's events, messages,
 * time in the exchange, memory) goes to stderr, never into the results.
 */
#include "loomd_mpi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "cell_fabric.h"
#include "ctl.h"
#include "gen_host.h"
#include "config.h"
#include "loomd_config_read.h"
#include "loomd_mpi_observe.h"
#include "observe.h"
#include "partition.h"
#include "runner_mpi.h"
#include "series.h"
#include "virtual_results.h"
#include "vt_pool.h"

static int g_rank, g_size = 1;
static json_t *g_partition; /* its "partition" (kept), NULL: automatic */

int loomd_mpi_start(int *argc, char ***argv) { return loom_mpi_init(argc, argv, &g_rank, &g_size); }

int loomd_mpi_rank(void) { return g_rank; }

static char g_config_copy[64]; /* a rank's copy of rank 0's configuration */

static char *read_whole(const char *path, long *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char *buf = NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) >= 0 && *len < INT_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)*len + 1)) && fread(buf, 1, (size_t)*len, f) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* What a split run cannot write yet, found in the configuration before it
 * is loaded (loading creates the files): NULL, or why. Every rank answers
 * the same from the same bytes. */
static const char *refused_output(const char *buf, size_t len)
{
	json_t *root = g_size > 1 ? json_loadb(buf, len, 0, NULL) : NULL, *cell = NULL, *cell_cap = NULL;
	const char *why = NULL;
	char err[256];

	if (!root)
		return NULL; /* one rank, or the loader will say what is wrong */
	/* a key of the wrong type: the loader says so. Traces and captures
	 * are gathered (loomd_mpi_observe.c); only rank 0 creates their files. */
	if (loomd_cfg_get(root, LOOMD_ROOT_CELL, &cell, err, sizeof(err)) == 0 && cell &&
	    loomd_cfg_get(cell, LOOMD_CELL_CAPTURE, &cell_cap, err, sizeof(err)) == 0 && cell_cap)
		why = "a cell capture (cell: capture) is not gathered from several ranks yet";
	json_decref(root);
	return why;
}

const char *loomd_mpi_share_config(const char *path)
{
	long len = -1;
	char *buf = g_rank == 0 ? read_whole(path, &len) : NULL;
	const char *out = path;
	int fd;

	if (g_rank == 0 && !buf) {
		fprintf(stderr, "loomd: --config %s: cannot read it: %s\n", path, strerror(errno));
		len = -1;
	}
	loom_mpi_bcast_bytes(&buf, &len);
	if (len < 0)
		return NULL; /* rank 0 said why */
	const char *why = refused_output(buf, (size_t)len);

	if (why) { /* before anything is loaded: every rank would create the file */
		if (g_rank == 0)
			fprintf(stderr, "loomd: --mpi over %d ranks: %s\n", g_size, why);
		free(buf);
		return NULL;
	}
	if (g_rank != 0) {
		loom_observe_captures_in_memory(true); /* rank 0 writes the capture files */
		/* mkstemp: a new file of ours (O_EXCL), never one a link points at */
		snprintf(g_config_copy, sizeof(g_config_copy), "/tmp/loomd-rank%d-XXXXXX", g_rank);
		fd = mkstemp(g_config_copy);
		if (fd < 0 || write(fd, buf, (size_t)len) != (ssize_t)len) {
			fprintf(stderr, "loomd: rank %d: cannot keep the configuration in /tmp: %s\n", g_rank,
				strerror(errno));
			loom_mpi_abort(1);
		}
		close(fd);
		out = g_config_copy;
	}
	free(buf);
	return out;
}

/* Every rank loads the fabric; a load can fail on one rank only (rank 0
 * alone creates the capture files: a symlink in a file's place), and the
 * others must not wait for it in the run's first exchange. */
bool loomd_mpi_all_loaded(bool mine) { return loom_mpi_all(mine); }

void loomd_mpi_finish(void)
{
	if (g_config_copy[0])
		unlink(g_config_copy);
	json_decref(g_partition);
	g_partition = NULL;
	loom_mpi_finalize();
}

int loomd_mpi_take_config(const json_t *config, json_t *partition)
{
	(void)config;
	g_partition = json_incref(partition);
	return 0;
}

/* What a run over several ranks cannot do yet, the same answer on every
 * rank (so that all of them stop before the first exchange); NULL: none. */
static const char *refused(const struct loom_fabric *f, const struct loom_series *series)
{
	(void)series; /* gathered: merge_series */
	if (g_size == 1)
		return NULL;
	if (f->cell && f->cell->cfg.capture) /* every rank would write the one file */
		return "a cell capture (cell: capture) is not gathered from several ranks yet";
	return NULL; /* traces and captures: loomd_mpi_observe.c */
}

/* The switch a fault record of the results names (its index), or -1. */
static int switch_named(const struct loom_fabric *f, const char *name)
{
	for (uint16_t s = 0; name && s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, name) == 0)
			return s;
	return -1;
}

/* Rank 0's stats get every other rank's switches, by index, and the fault
 * records of their ports. Faults run on every rank at the same virtual
 * times (runner_virtual.c: every rank's queue has the fabric's fault
 * events), so every rank has the same records, states and counters; only
 * what a record reads of its switch's counters (lost_before_detection:
 * its link_down drops) is right on the switch's own rank. */
static int gather_switches(const struct loom_fabric *f, json_t *stats, const uint16_t *sw_rank)
{
	json_t *sws = json_object_get(stats, "switches"), *mine = json_array(), *mine_fl = json_array();
	json_t *fl = json_object_get(json_object_get(stats, "faults"), "links"), *e, *both;
	char *str, **all = NULL;
	size_t i;

	for (uint16_t s = 0; g_rank != 0 && s < f->n_switches; s++)
		if (sw_rank[s] == g_rank)
			json_array_append_new(mine, json_pack("[i, O]", (json_int_t)s, json_array_get(sws, s)));
	json_array_foreach(fl, i, e) {
		int s = switch_named(f, json_string_value(json_object_get(e, "switch")));

		if (g_rank != 0 && s >= 0 && sw_rank[s] == g_rank)
			json_array_append_new(mine_fl, json_pack("[i, O]", (json_int_t)i, e));
	}
	both = json_pack("{s:o, s:o}", "switches", mine, "fault_links", mine_fl);
	str = both ? json_dumps(both, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(both);
	if (!str || loom_mpi_gather_strings(str, &all) < 0) {
		fprintf(stderr, "loomd: rank %d: out of memory for the results\n", g_rank);
		loom_mpi_abort(1);
	}
	free(str);
	if (g_rank != 0)
		return 0;
	int rc = 0;

	for (int r = 1; r < g_size; r++) {
		json_error_t je;
		json_t *part = json_loads(all[r], 0, &je);

		if (!part) {
			fprintf(stderr, "loomd: rank %d's switches do not parse: %s\n", r, je.text);
			rc = -1;
		}
		json_array_foreach(json_object_get(part, "switches"), i, e)
			json_array_set(sws, (size_t)json_integer_value(json_array_get(e, 0)), json_array_get(e, 1));
		json_array_foreach(json_object_get(part, "fault_links"), i, e)
			json_array_set(fl, (size_t)json_integer_value(json_array_get(e, 0)), json_array_get(e, 1));
		json_decref(part);
		free(all[r]);
	}
	free(all[0]);
	free(all);
	return rc;
}

/* Rank 0 writes the series from every rank's part: each part has, per
 * sample time, the lines of its own switches in their order, so that
 * taking each switch's lines (one per linked port) from its rank's part,
 * switch by switch and time by time, gives one process's file; the size
 * cap counts lines as one process writes them. Each part starts with the
 * header (runner_virtual.c writes it), which rank 0 writes once. */
static int merge_series(const struct loom_fabric *f, const struct loom_series *series, const uint16_t *sw_rank,
			const char *mine)
{
	uint64_t per_sample = 0, lines = 0;
	char **all = NULL;
	const char **at;
	int rc = 0;

	if (loom_mpi_gather_strings(mine, &all) < 0) {
		fprintf(stderr, "loomd: rank %d: out of memory for the series\n", g_rank);
		loom_mpi_abort(1);
	}
	if (g_rank != 0)
		return 0;
	at = calloc((size_t)g_size, sizeof(*at));
	if (!at) {
		fprintf(stderr, "loomd: out of memory for the series\n");
		loom_mpi_abort(1);
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++)
			per_sample += f->links[s][p].kind != LOOM_LINK_NONE;
	for (int r = 0; r < g_size; r++) {
		const char *nl = strchr(all[r], '\n');

		at[r] = nl ? nl + 1 : all[r] + strlen(all[r]);
		for (const char *c = at[r]; (c = strchr(c, '\n')); c++)
			lines++;
	}
	loom_series_header(series);
	for (uint64_t k = 0; per_sample && k < lines / per_sample && rc == 0; k++)
		for (uint16_t s = 0; s < f->n_switches && rc == 0; s++)
			for (uint16_t p = 0; p < f->switches[s].n_ports && rc == 0; p++) {
				const char **c = &at[sw_rank[s]], *nl;

				if (f->links[s][p].kind == LOOM_LINK_NONE)
					continue;
				if (!(nl = strchr(*c, '\n'))) {
					rc = -1;
					break;
				}
				loom_series_write_lines(series, *c, (size_t)(nl + 1 - *c));
				*c = nl + 1;
			}
	if (rc < 0 || (per_sample && lines % per_sample))
		fprintf(stderr, "loomd: the ranks' parts of the series do not line up (%lu lines, %lu per sample)\n",
			(unsigned long)lines, (unsigned long)per_sample);
	for (int r = 0; r < g_size; r++)
		free(all[r]);
	free(all);
	free(at);
	return rc < 0 || (per_sample && lines % per_sample) ? -1 : 0;
}

/* Each rank has a cell pool as large as the one process's, which all the
 * switches share: a run where one ran dry is not what one process gives. */
static void warn_cell_pool(const struct loom_fabric *f, const uint16_t *sw_rank)
{
	uint64_t n = 0;

	for (uint16_t s = 0; f->cell && s < f->n_switches; s++)
		for (uint16_t p = 0; sw_rank[s] == g_rank && p < f->switches[s].n_ports; p++)
			n += f->switches[s].ports[p].c.drops[LOOM_DROP_CELL_NO_BUFFER];
	if (n)
		fprintf(stderr,
			"loomd: rank %d: warning: %lu cell_no_buffer drops: each rank has a cell pool of its own "
			"(cell: pool_cells), so these results may differ from one process's\n",
			g_rank, (unsigned long)n);
}

int loomd_run_mpi_main(struct loom_fabric *f, const char *results, const struct loom_series *series,
		       double t_start)
{
	struct loom_mpi_rank_stats *ranks = calloc((size_t)g_size, sizeof(*ranks));
	struct loom_vt_stats vst;
	struct loom_vt_pool pool;
	uint16_t *sw_rank = NULL;
	const char *why = refused(f, series);
	struct loom_series part = {.interval_ns = series ? series->interval_ns : 0};
	char *part_buf = NULL;
	size_t part_len = 0;
	bool want_series = false;
	char err[512];
	json_t *stats, *trace = NULL;
	double t0, wall;
	int rc = 1;

	if (!ranks) {
		fprintf(stderr, "loomd: out of memory\n");
		loom_mpi_abort(1);
	}
	if (why) {
		if (g_rank == 0)
			fprintf(stderr, "loomd: --mpi over %d ranks: %s\n", g_size, why);
		goto out;
	}
	if (loom_vt_pool_create(&pool, f, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: rank %d: %s\n", g_rank, err);
		loom_mpi_abort(1);
	}
	/* captures keep what packets hold, as one process's (loomd.c) */
	if (f->observe && (uint32_t)(pool.stored - RTE_PKTMBUF_HEADROOM) < f->observe->snap)
		f->observe->snap = (uint32_t)(pool.stored - RTE_PKTMBUF_HEADROOM);
	if (g_rank == 0)
		fprintf(stderr, "loomd: fabric %s: %u switches, %u generator hosts; virtual time for %lu ns, seed %lu; "
				"over %d MPI ranks\n",
			f->name, f->n_switches, f->n_gen_hosts, (unsigned long)f->duration_ns, (unsigned long)f->seed,
			g_size);
	/* every rank samples its switches into a part of its own (rank 0 says whether there is a series) */
	want_series = loom_mpi_bcast_u64(g_rank == 0 && series && series->out);
	if (want_series) {
		part.interval_ns = loom_mpi_bcast_u64(part.interval_ns);
		part.out = open_memstream(&part_buf, &part_len);
		if (!part.out) {
			fprintf(stderr, "loomd: rank %d: out of memory for the series\n", g_rank);
			loom_mpi_abort(1);
		}
	}
	t0 = loomd_wall_seconds();
	if (loom_run_mpi(f, g_partition, &pool, want_series ? &part : NULL, &vst, ranks, &sw_rank, err,
			 sizeof(err)) < 0) {
		if (g_rank == 0)
			fprintf(stderr, "loomd: %s\n", err);
		goto out;
	}
	wall = loomd_wall_seconds() - t0;
	stats = loom_fabric_stats_json(f, NULL, vst.end_ns);
	if (!stats) {
		fprintf(stderr, "loomd: rank %d: out of memory\n", g_rank);
		loom_mpi_abort(1);
	}
	if (want_series) {
		if (fclose(part.out) != 0) {
			fprintf(stderr, "loomd: rank %d: out of memory for the series\n", g_rank);
			loom_mpi_abort(1);
		}
		part.out = NULL;
		rc = merge_series(f, series, sw_rank, part_buf ? part_buf : "");
		free(part_buf);
		part_buf = NULL;
		if (rc < 0)
			loom_mpi_abort(1);
		rc = 1;
	}
	warn_cell_pool(f, sw_rank);
	if (gather_switches(f, stats, sw_rank) < 0)
		loom_mpi_abort(1);
	loomd_mpi_gather_captures(f, sw_rank, g_rank);
	trace = loomd_mpi_gather_trace(f, sw_rank, g_rank, g_size);
	if (g_rank != 0) {
		json_decref(stats);
		rc = 0;
		goto out;
	}
	char la_err[256];
	loom_time_ns la = loom_partition_lookahead(f, sw_rank, la_err, sizeof(la_err));
	struct rusage ru;
	double sync_max = 0;

	getrusage(RUSAGE_SELF, &ru);
	/* the lines bench/virtual_scale.py reads, for the whole run */
	loomd_print_run_figures(&vst, wall, t0 - t_start, &ru, " (rank 0)");
	for (int r = 0; r < g_size; r++) {
		const struct loom_mpi_rank_stats *x = &ranks[r];

		if (x->sync_s > sync_max)
			sync_max = x->sync_s;
		fprintf(stderr,
			"loomd: rank %d: %lu switches, %lu hosts, %lu events (%.0f events/s of loop), "
			"%lu packet arrivals, messages sent %lu received %lu, windows %lu, "
			"loop %.3f s, sync %.3f s (%.1f%%), peak RSS %.1f MB\n",
			r, (unsigned long)x->switches, (unsigned long)x->hosts, (unsigned long)x->events,
			x->loop_s > 0 ? (double)x->events / x->loop_s : 0.0, (unsigned long)x->packets,
			(unsigned long)x->msgs_sent, (unsigned long)x->msgs_received, (unsigned long)x->windows,
			x->loop_s, x->sync_s, x->loop_s > 0 ? 100.0 * x->sync_s / x->loop_s : 0.0, x->peak_rss_mb);
	}
	for (int r = 0; r < g_size && f->n_switches <= 64; r++) { /* which switch ran where (tests read it) */
		fprintf(stderr, "loomd: rank %d ran:", r);
		for (uint16_t s = 0; s < f->n_switches; s++)
			if (sw_rank[s] == r)
				fprintf(stderr, " %s", f->switches[s].name);
		fputc('\n', stderr);
	}
	if (la == LOOM_TIME_NEVER)
		fprintf(stderr, "loomd: MPI: no link between ranks: no lookahead needed\n");
	else
		fprintf(stderr, "loomd: MPI: lookahead %lu ns (the smallest delay of a link between ranks)\n",
			(unsigned long)la);
	json_t *out = loomd_virtual_results(f, &vst, stats);

	if (out && trace) /* rank 0's own record replaced by every rank's, merged */
		json_object_set(out, "trace", trace);

	rc = out ? loomd_write_results(out, NULL, results) : 1;
out:
	if (part.out)
		fclose(part.out);
	free(part_buf);
	json_decref(trace);
	free(ranks);
	free(sw_rank);
	return rc;
}
