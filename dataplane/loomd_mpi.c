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
#include "loomd_config_read.h"
#include "observe.h"
#include "partition.h"
#include "runner_mpi.h"
#include "virtual_results.h"
#include "vt_pool.h"

static int g_rank, g_size = 1;
static size_t g_faults;      /* the configuration's scheduled faults */
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
	if (g_rank != 0) {
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
	json_t *faults = NULL;
	char err[256];

	if (loomd_cfg_get(config, LOOMD_ROOT_FAULTS, &faults, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		return -1;
	}
	g_faults = json_array_size(faults);
	g_partition = json_incref(partition);
	return 0;
}

/* What a run over several ranks cannot do yet, the same answer on every
 * rank (so that all of them stop before the first exchange); NULL: none. */
static const char *refused(const struct loom_fabric *f, const struct loom_series *series)
{
	if (g_size == 1)
		return NULL;
	if (series && series->out)
		return "a time series (--series) is not written by a run over several ranks yet";
	if (g_faults)
		return "scheduled faults change every switch at once (detection, repair), which a run over "
		       "several ranks cannot do yet";
	if (f->cell)
		return "a cell fabric (mode: cell) does not run over several ranks yet";
	if (f->observe && loom_observe_active(f->observe))
		return "traces and captures are not gathered from several ranks yet";
	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		if (f->gen_hosts[h].nic) /* its per-plane state is not in what rank 0 gathers */
			return "multi-plane generator hosts (one interface per plane) do not run over several "
			       "ranks yet";
	return NULL;
}

/* Rank 0's stats get every other rank's switches, by index. */
static int gather_switches(json_t *stats, const uint16_t *sw_rank, uint16_t n_switches)
{
	json_t *sws = json_object_get(stats, "switches"), *mine = json_array();
	char *str, **all = NULL;

	for (uint16_t s = 0; g_rank != 0 && s < n_switches; s++)
		if (sw_rank[s] == g_rank)
			json_array_append_new(mine, json_pack("[i, O]", (json_int_t)s, json_array_get(sws, s)));
	str = json_dumps(mine, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(mine);
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
		json_t *part = json_loads(all[r], 0, &je), *e;
		size_t i;

		if (!part) {
			fprintf(stderr, "loomd: rank %d's switches do not parse: %s\n", r, je.text);
			rc = -1;
		}
		json_array_foreach(part, i, e) {
			json_int_t s = json_integer_value(json_array_get(e, 0));

			json_array_set(sws, (size_t)s, json_array_get(e, 1));
		}
		json_decref(part);
		free(all[r]);
	}
	free(all[0]);
	free(all);
	return rc;
}

int loomd_run_mpi_main(struct loom_fabric *f, const char *results, const struct loom_series *series,
		       double t_start)
{
	struct loom_mpi_rank_stats *ranks = calloc((size_t)g_size, sizeof(*ranks));
	struct loom_vt_stats vst;
	struct loom_vt_pool pool;
	uint16_t *sw_rank = NULL;
	const char *why = refused(f, series);
	char err[512];
	json_t *stats;
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
	if (g_rank == 0)
		fprintf(stderr, "loomd: fabric %s: %u switches, %u generator hosts; virtual time for %lu ns, seed %lu; "
				"over %d MPI ranks\n",
			f->name, f->n_switches, f->n_gen_hosts, (unsigned long)f->duration_ns, (unsigned long)f->seed,
			g_size);
	t0 = loomd_wall_seconds();
	if (loom_run_mpi(f, g_partition, &pool, &vst, ranks, &sw_rank, err, sizeof(err)) < 0) {
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
	if (gather_switches(stats, sw_rank, f->n_switches) < 0)
		loom_mpi_abort(1);
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

	rc = out ? loomd_write_results(out, NULL, results) : 1;
out:
	free(ranks);
	free(sw_rank);
	return rc;
}
