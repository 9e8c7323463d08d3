/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl experiment run FILE [--out DIR]` (docs/EXPERIMENTS.md): every
 * (load-balancing mode, workload, load) of the experiment, one after the
 * other, each a virtual-time run of the topology with generator hosts.
 * Per run, in DIR/runs/NAME/: results.json (loomd's results), series.csv
 * (switch ports sampled every sample_interval) and ideal.csv (per flow:
 * the max-min fair rate with every flow of the run active at once, and
 * the completion time alone on the idle fabric). DIR/runs.json lists the
 * runs; then the report script (control/experiment/experiment_report.py,
 * Debian's python3-matplotlib) writes flows.csv, summary.csv, the plots
 * and report.md from them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "experiment/experiment.h"
#include "loom_output_file.h"
#include "experiment_cmd.h"
#include "fabric_cmds.h"
#include "loom/frame.h"
#include "loom/sim/link.h"
#include "loom/traffic/maxmin.h"
#include "workload/workload.h"

#ifndef LOOM_EXPERIMENT_REPORT
#define LOOM_EXPERIMENT_REPORT "control/experiment/experiment_report.py"
#endif
#define REPORT_PYTHON "/usr/bin/python3" /* Debian's: python3-matplotlib belongs to it */

static int mkdir_p(const char *path)
{
	char buf[EXP_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The leaf-spine link of `leaf` with the lowest index (its uplink on the idle path). */
static const struct topo_link *uplink(const struct topology *t, int leaf)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.is_host || l->b.is_host)
			continue;
		if ((l->a.node == leaf && t->switches[l->b.node].role == TOPO_SPINE) ||
		    (l->b.node == leaf && t->switches[l->a.node].role == TOPO_SPINE))
			return l;
	}
	return NULL;
}

static int leaf_of(const struct topology *t, int h)
{
	const struct topo_link *l = &t->links[topo_host_link(t, h)];

	return l->a.is_host ? l->b.node : l->a.node;
}

/* Completion time of the flow alone on the idle fabric: its wire bytes at
 * its rate from the host, then the last packet store-and-forward over the
 * other links of its path, plus every link's delay (and an on/off flow's
 * idle time after each burst but its last). 0 for streams. The
 * serialization times are the links' own (loom/sim/link.h, rounded up as
 * the virtual-time runner does); a topology's rates are > 0. */
static uint64_t alone_fct_ns(const struct topology *t, const struct loom_flow_spec *f)
{
	const struct topo_link *path[4];
	uint32_t hdr = f->transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_HDR_ROCEV2 : LOOM_FRAME_HDR_UDP;
	uint32_t frame = f->pkt_bytes ? f->pkt_bytes : LOOM_FRAME_DEFAULT;
	uint64_t pkts, wire, rate, ns;
	int n = 0, ls = leaf_of(t, (int)f->src_host), ld = leaf_of(t, (int)f->dst_host);

	if (f->bytes == 0)
		return 0;
	path[n++] = &t->links[topo_host_link(t, (int)f->src_host)];
	if (ls != ld) {
		const struct topo_link *a = uplink(t, ls), *b = uplink(t, ld);

		if (a)
			path[n++] = a;
		if (b)
			path[n++] = b;
	}
	path[n++] = &t->links[topo_host_link(t, (int)f->dst_host)];
	pkts = (f->bytes + (frame - hdr) - 1) / (frame - hdr);
	wire = f->bytes + pkts * hdr;
	rate = f->rate_bps && f->rate_bps < path[0]->rate_bps ? f->rate_bps : path[0]->rate_bps;
	ns = loom_link_serialization_ns(wire, rate);
	if (f->burst_bytes) { /* an on/off flow pauses after every burst but its last */
		uint64_t per_burst = (f->burst_bytes + (frame - hdr) - 1) / (frame - hdr);

		ns += (pkts - 1) / per_burst * f->idle_ns;
	}
	for (int i = 0; i < n; i++) {
		ns += path[i]->delay_ns;
		if (i > 0)
			ns += loom_link_serialization_ns(frame, path[i]->rate_bps);
	}
	return ns;
}

/* Every flow between generator hosts, with frames they can send. */
static int check_flows(const struct topology *t, const struct workload *wl, const char *file)
{
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];
		uint32_t min = f->transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_GEN_MIN_ROCEV2 : LOOM_FRAME_GEN_MIN_UDP;

		for (int k = 0; k < 2; k++) {
			uint32_t h = k ? f->dst_host : f->src_host;

			if (t->hosts[h].port_type != TOPO_PORT_GENERATOR) {
				fprintf(stderr, "%s: flow %zu uses host %s, which is not a generator host: experiments "
					"run generator hosts in virtual time\n", file, i, t->hosts[h].name);
				return -1;
			}
		}
		if (f->pkt_bytes && (f->pkt_bytes < min || f->pkt_bytes > LOOM_FRAME_GEN_MAX)) {
			fprintf(stderr, "%s: packet %u: generator hosts send frames of %u..%u bytes\n", file,
				f->pkt_bytes, min, LOOM_FRAME_GEN_MAX);
			return -1;
		}
		for (int k = 0; k < 2; k++) {
			int h = (int)(k ? f->dst_host : f->src_host), l = topo_host_link(t, h);
			uint32_t pkt = f->pkt_bytes ? f->pkt_bytes : LOOM_FRAME_DEFAULT;

			/* the leaf would drop it (mtu_exceeded): say so here instead */
			if (l >= 0 && pkt > t->links[l].mtu + LOOM_FRAME_ETH_HDR) {
				fprintf(stderr, "%s: packet %u: above the mtu %u of host %s's link (frames of at most %u)\n",
					file, pkt, t->links[l].mtu, t->hosts[h].name, t->links[l].mtu + LOOM_FRAME_ETH_HDR);
				return -1;
			}
		}
		if (f->cc && !f->ecn_capable) {
			fprintf(stderr, "%s: cc: %s needs ecn: true\n", file, workload_cc_name(f->cc));
			return -1;
		}
	}
	return 0;
}

static loom_time_ns first_start(const struct workload *wl)
{
	loom_time_ns s = LOOM_TIME_NEVER;

	for (size_t i = 0; i < wl->flows.n; i++)
		if (wl->flows.v[i].start < s)
			s = wl->flows.v[i].start;
	return s;
}

static int write_ideal(const struct topology *t, const struct workload *wl, const char *path)
{
	struct workload_capacity cap;
	double *rate = calloc(wl->flows.n + 1, sizeof(*rate));
	char err[512];
	FILE *out;
	int rc = -1;

	if (!rate)
		return -1;
	if (workload_capacity_from_topo(t, &cap, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: %s\n", err);
		free(rate);
		return -1;
	}
	if (loom_maxmin_clos(&cap.m, wl->flows.v, wl->flows.n, rate) < 0) {
		fprintf(stderr, "loomctl: max-min rates: cannot solve\n");
		goto out;
	}
	out = loom_output_open(path, LOOM_OUTPUT_SHARED, err, sizeof(err)); /* 0644: users read results */
	if (!out) {
		fprintf(stderr, "loomctl: %s\n", err);
		goto out;
	}
	/* at_once: the flow starts with the first ones (or is a chained
	 * phase of them): the all-at-once max-min rate judges it */
	fprintf(out, "id,ideal_bps,alone_fct_ns,at_once\n");
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];

		fprintf(out, "%u,%.0f,%llu,%d\n", f->id, rate[i], (unsigned long long)alone_fct_ns(t, f),
			f->start == first_start(wl) || f->start == LOOM_WL_START_CHAINED);
	}
	rc = fclose(out) == 0 ? 0 : -1;
out:
	workload_capacity_free(&cap);
	free(rate);
	return rc;
}

/* The topology for one run: virtual clock, the experiment's duration, the
 * mode on every switch (per-switch modes and group modes cleared), the
 * workload's flows instead of the topology's own traffic. */
static int prepare(const struct experiment *e, const char *mode, const char *wl_file, double load,
		   struct topology *t, struct workload *wl)
{
	char err[1024];

	if (topo_load(e->topology, &workload_traffic, t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	t->clock = TOPO_CLOCK_VIRTUAL;
	if (e->duration_ns)
		t->duration_ns = e->duration_ns;
	if (!t->duration_ns) {
		fprintf(stderr, "%s: the experiment needs a duration (in the experiment or the topology)\n",
			e->topology);
		goto fail;
	}
	if (mode[0]) {
		snprintf(t->lb.mode, sizeof(t->lb.mode), "%s", mode);
		for (int i = 0; i < t->n_switches; i++) {
			t->switches[i].lb.mode[0] = '\0';
			t->switches[i].lb.n_groups = 0;
		}
	}
	if (workload_load_at_load(wl_file, t, load, wl, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto fail;
	}
	if (check_flows(t, wl, wl_file) < 0) {
		workload_free(wl);
		goto fail;
	}
	free(t->flows);
	t->flows = malloc((wl->flows.n + 1) * sizeof(*t->flows));
	if (!t->flows) {
		workload_free(wl);
		goto fail;
	}
	memcpy(t->flows, wl->flows.v, wl->flows.n * sizeof(*t->flows));
	t->n_flows = (int)wl->flows.n;
	return 0;
fail:
	topo_free(t);
	return -1;
}

/* Run `index` (from 1) of `total`. */
static int run_one(const struct experiment *e, const char *dir, const char *mode, const char *wl_file, double load,
		   int index, int total, json_t *runs)
{
	char name[160], rdir[EXP_PATH_MAX + 200], results[EXP_PATH_MAX + 240], series[EXP_PATH_MAX + 240],
		ideal[EXP_PATH_MAX + 240], loadname[16];
	uint64_t interval;
	struct topology t;
	struct workload wl;
	int rc;

	if (prepare(e, mode, wl_file, load, &t, &wl) < 0)
		return -1;
	if (load > 0)
		snprintf(loadname, sizeof(loadname), "-%02d", (int)(load * 100 + 0.5));
	else
		loadname[0] = '\0';
	snprintf(name, sizeof(name), "%s-%s%s", mode[0] ? mode : "topology", wl.name, loadname);
	snprintf(rdir, sizeof(rdir), "%s/runs/%s", dir, name);
	snprintf(results, sizeof(results), "%s/results.json", rdir);
	snprintf(series, sizeof(series), "%s/series.csv", rdir);
	snprintf(ideal, sizeof(ideal), "%s/ideal.csv", rdir);
	interval = e->sample_interval_ns ? e->sample_interval_ns : (t.duration_ns / 100 ? t.duration_ns / 100 : 1);
	rc = mkdir_p(rdir) < 0 || write_ideal(&t, &wl, ideal) < 0 ? -1 : 0;
	if (rc == 0) {
		fprintf(stderr, "loomctl: experiment %s: run %d of %d: %s (%zu flows)\n", e->name, index, total, name,
			wl.flows.n);
		rc = fabric_run_virtual(&t, results, series, interval) == 0 ? 0 : -1;
	} else {
		fprintf(stderr, "loomctl: cannot write %s\n", rdir);
	}
	if (rc == 0)
		json_array_append_new(runs, json_pack("{s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:I, s:s}", "run", name,
						      "mode", mode[0] ? mode : "topology", "workload", wl.name,
						      "workload_file", wl_file, "load", load, "flows",
						      (json_int_t)wl.flows.n, "duration_ns", (json_int_t)t.duration_ns,
						      "sample_interval_ns", (json_int_t)interval, "dir",
						      name));
	workload_free(&wl);
	topo_free(&t);
	return rc;
}

static int report(const char *dir)
{
	const char *script = getenv("LOOM_EXPERIMENT_REPORT");
	pid_t pid;
	int status;

	if (!script || !*script)
		script = LOOM_EXPERIMENT_REPORT;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(REPORT_PYTHON, "python3", script, dir, (char *)NULL);
		fprintf(stderr, "loomctl: cannot run %s %s: %s (Debian's python3-matplotlib: ./loom installs it)\n",
			REPORT_PYTHON, script, strerror(errno));
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int cmd_experiment(int argc, char **argv)
{
	const char *file = NULL, *out = NULL;
	char dir[EXP_PATH_MAX], err[1024], manifest[EXP_PATH_MAX + 16];
	struct experiment e;
	json_t *root, *runs;
	int failed = 0;

	if (argc < 1 || strcmp(argv[0], "run") != 0) {
		fprintf(stderr, "usage: loomctl experiment run FILE [--out DIR]\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: loomctl experiment run FILE [--out DIR]\n");
		return 2;
	}
	if (experiment_load(file, &e, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (out)
		snprintf(dir, sizeof(dir), "%s", out);
	else
		snprintf(dir, sizeof(dir), "results/%s", e.name);
	if (mkdir_p(dir) < 0) {
		fprintf(stderr, "loomctl: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	runs = json_array();
	int total = (e.n_modes ? e.n_modes : 1) * e.n_workloads * (e.n_loads ? e.n_loads : 1), index = 0;

	for (int m = 0; m < (e.n_modes ? e.n_modes : 1); m++)
		for (int w = 0; w < e.n_workloads; w++)
			for (int l = 0; l < (e.n_loads ? e.n_loads : 1); l++)
				if (run_one(&e, dir, e.n_modes ? e.modes[m] : "", e.workloads[w],
					    e.n_loads ? e.loads[l] : 0, ++index, total, runs) < 0)
					failed++;
	root = json_pack("{s:s, s:s, s:o}", "experiment", e.name, "topology", e.topology, "runs", runs);
	snprintf(manifest, sizeof(manifest), "%s/runs.json", dir);
	if (loom_output_json(root, manifest, LOOM_OUTPUT_SHARED) < 0)
		failed++;
	json_decref(root);
	if (failed) {
		fprintf(stderr, "loomctl: experiment %s: %d run(s) failed\n", e.name, failed);
		return 1;
	}
	if (report(dir) != 0) {
		fprintf(stderr, "loomctl: experiment %s: the report failed\n", e.name);
		return 1;
	}
	fprintf(stderr, "loomctl: experiment %s: report in %s/report.md\n", e.name, dir);
	return 0;
}
