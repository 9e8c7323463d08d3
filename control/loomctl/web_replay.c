/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay (web_replay.h). Every run's series.csv becomes columns: the
 * sample times, the ports (switch, port, peer, rate), and per counter one
 * row of values per sample, ports in the same order, so that the page
 * turns any two samples into rates without parsing CSV itself.
 * The CSV is read here with its header checked, not with a CSV library:
 * loomd writes it (dataplane/runner/series.c) with no quoting, one
 * sample's rows together.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_replay.h"
#include "web_topology.h"

#define SERIES_HEADER "time_ns,switch,port,peer,rate_bps,tx_bytes,queued_bytes,ecn_marked,dropped,pfc_xoff"
#define N_COUNTERS 5
static const char *const counter_names[N_COUNTERS] = {"tx_bytes", "queued_bytes", "ecn_marked", "dropped",
						      "pfc_xoff"};

/* The index of (switch, port) in ports, appended when new (first sample
 * only: later samples must name the same ports). */
static long port_slot(json_t *ports, const char *sw, long port, bool may_add, const char *peer, long long rate)
{
	json_t *p;
	size_t i;

	json_array_foreach(ports, i, p)
		if (json_integer_value(json_object_get(p, "port")) == port &&
		    strcmp(json_string_value(json_object_get(p, "switch")), sw) == 0)
			return (long)i;
	if (!may_add)
		return -1;
	json_array_append_new(ports, json_pack("{s:s, s:i, s:s, s:I}", "switch", sw, "port", (int)port, "peer", peer, "rate_bps",
					       (json_int_t)rate));
	return (long)json_array_size(ports) - 1;
}

static json_t *series_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	json_t *times = json_array(), *ports = json_array(), *cols[N_COUNTERS], *row[N_COUNTERS] = {0}, *r = NULL;
	char line[1024];
	long long t_cur = -1;
	int lineno = 0;

	for (int k = 0; k < N_COUNTERS; k++)
		cols[k] = json_array();
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		char sw[64], peer[64];
		long long t, rate, v[N_COUNTERS];
		long port, slot;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			if (strcmp(line, SERIES_HEADER) != 0) {
				snprintf(err, errlen, "%s:1: not a time series (header is not '%s')", path, SERIES_HEADER);
				goto out;
			}
			continue;
		}
		if (sscanf(line, "%lld,%63[^,],%ld,%63[^,],%lld,%lld,%lld,%lld,%lld,%lld", &t, sw, &port, peer, &rate,
			   &v[0], &v[1], &v[2], &v[3], &v[4]) != 10 || t < 0 || port < 0) {
			snprintf(err, errlen, "%s:%d: expected %s", path, lineno, SERIES_HEADER);
			goto out;
		}
		if (t != t_cur) {
			if (t < t_cur) {
				snprintf(err, errlen, "%s:%d: time goes back (%lld after %lld)", path, lineno, t, t_cur);
				goto out;
			}
			t_cur = t;
			json_array_append_new(times, json_integer(t));
			for (int k = 0; k < N_COUNTERS; k++) {
				row[k] = json_array();
				json_array_append_new(cols[k], row[k]);
			}
		}
		slot = port_slot(ports, sw, port, json_array_size(times) == 1, peer, rate);
		if (slot < 0 || (size_t)slot != json_array_size(row[0])) {
			snprintf(err, errlen, "%s:%d: port %s:%ld is not where the first sample had it", path, lineno, sw,
				 port);
			goto out;
		}
		for (int k = 0; k < N_COUNTERS; k++)
			json_array_append_new(row[k], json_integer(v[k]));
	}
	if (json_array_size(times) == 0) {
		snprintf(err, errlen, "%s: no samples", path);
		goto out;
	}
	r = json_pack("{s:O, s:O}", "times", times, "ports", ports);
	for (int k = 0; r && k < N_COUNTERS; k++)
		json_object_set(r, counter_names[k], cols[k]);
out:
	if (f)
		fclose(f);
	json_decref(times);
	json_decref(ports);
	for (int k = 0; k < N_COUNTERS; k++)
		json_decref(cols[k]);
	return r;
}

char *web_replay_load(const char *dir, json_t **topology, char *err, size_t errlen)
{
	char path[4096];
	json_error_t jerr;
	json_t *index, *runs = json_array(), *run, *out;
	const char *topo;
	char *text = NULL;
	size_t i;

	*topology = NULL;
	snprintf(path, sizeof(path), "%s/runs.json", dir);
	index = json_load_file(path, 0, &jerr);
	if (!index) {
		snprintf(err, errlen, "%s:%d: %s (--replay wants the directory of 'loomctl experiment run --out DIR')",
			 path, jerr.line, jerr.text);
		json_decref(runs);
		return NULL;
	}
	topo = json_string_value(json_object_get(index, "topology"));
	if (!topo) {
		snprintf(err, errlen, "%s: names no topology", path);
		goto out;
	}
	json_array_foreach(json_object_get(index, "runs"), i, run) {
		const char *name = json_string_value(json_object_get(run, "run"));
		const char *rdir = json_string_value(json_object_get(run, "dir"));
		json_t *series;

		if (!name || !rdir || strchr(rdir, '/')) {
			snprintf(err, errlen, "%s: run %zu has no name or dir (or a dir outside runs/)", path, i);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/runs/%s/series.csv", dir, rdir);
		series = series_load(path, err, errlen);
		if (!series)
			goto out;
		json_object_set_new(series, "run", json_string(name));
		json_object_set(series, "mode", json_object_get(run, "mode"));
		json_object_set(series, "workload", json_object_get(run, "workload"));
		json_object_set(series, "load", json_object_get(run, "load"));
		json_array_append_new(runs, series);
	}
	if (json_array_size(runs) == 0) {
		snprintf(err, errlen, "%s/runs.json: no runs", dir);
		goto out;
	}
	*topology = web_topology_of_file(topo, err, errlen);
	if (!*topology)
		goto out;
	out = json_pack("{s:s, s:O?, s:O}", "dir", dir, "experiment", json_object_get(index, "experiment"), "runs", runs);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!text)
		snprintf(err, errlen, "out of memory");
out:
	json_decref(index);
	json_decref(runs);
	if (!text) {
		json_decref(*topology);
		*topology = NULL;
	}
	return text;
}
