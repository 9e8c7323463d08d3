/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration's trace and captures over MPI ranks (loomd_mpi_observe.h,
 * docs/VIRTUAL_TIME.md "Traces and captures over ranks").
 *
 * Captures: a capture is one port of one switch, and only the rank that
 * owns the switch sees its frames (another rank's copy carries no
 * traffic), in the order one process sees them (the runner's deterministic
 * order of events). Rank 0 created the file at load time (no symlink
 * followed, the header written, as one process does); the other ranks
 * keep their frames in memory (config_observe.c); after the run the
 * owner's frames are appended to rank 0's file: the same bytes.
 *
 * The trace: claimed on its switch's rank and followed on every rank its
 * packets reach (runner_mpi.c). Each rank's record of a packet holds the
 * events of its own switches in time order; a packet is at one place at a
 * time and a link between ranks has a delay (the lookahead is above zero),
 * so two ranks never record one packet's events at the same nanosecond,
 * and merging by time gives one process's list. One process keeps 64
 * events a packet (the last slot overwritten, events_lost counting): each
 * rank kept its first 63 and its last, which hold the first 63 and the last
 * of the merged list, so the merge keeps those and counts the rest lost.
 */
#include "loomd_mpi_observe.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "trace_spec.h"
#include "observe.h"
#include "runner_mpi.h"

void loomd_mpi_gather_captures(struct loom_fabric *f, const uint16_t *sw_rank, int rank)
{
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++) {
		struct loom_capture_part p;
		char *bytes;
		size_t len;

		if (loom_observe_capture_part(f, i, &p) < 0)
			continue; /* the same on every rank: the same configuration */
		int owner = sw_rank[p.sw];

		if (rank != owner && p.frames) /* not expected: a copy carries no traffic */
			fprintf(stderr,
				"loomd: rank %d: warning: capture %d: %lu frames on its copy of another rank's switch: "
				"the file may differ from one process's\n",
				rank, i, (unsigned long)p.frames);
		if (owner == 0)
			continue; /* rank 0 wrote its own frames into the file */
		if (rank == owner) {
			/* the counters travel ahead of the bytes, in one buffer */
			size_t n = sizeof(p) + p.len;
			char *buf = malloc(n);

			if (!buf) {
				fprintf(stderr, "loomd: rank %d: out of memory for a capture\n", rank);
				loom_mpi_abort(1);
			}
			memcpy(buf, &p, sizeof(p));
			if (p.len)
				memcpy(buf + sizeof(p), p.bytes, p.len);
			loom_mpi_bytes_to_root(owner, buf, n, &bytes, &len);
			free(buf);
		} else
			loom_mpi_bytes_to_root(owner, NULL, 0, &bytes, &len);
		if (rank != 0)
			continue;
		if (len < sizeof(p)) {
			fprintf(stderr, "loomd: rank %d's capture %d came short\n", owner, i);
			loom_mpi_abort(1);
		}
		memcpy(&p, bytes, sizeof(p));
		p.bytes = bytes + sizeof(p);
		p.len = len - sizeof(p);
		loom_observe_capture_add(f, i, &p);
		free(bytes);
	}
}

#define TRACE_EVENTS_KEPT LOOM_TRACE_EVENTS

/* Packet j's events from every rank's trace, merged by t_ns (the lowest
 * rank first on a tie, which does not happen: above); its `end` is the
 * one of the rank holding the last event. */
static void merge_packet(json_t *into, json_t *const *parts, int n_parts, size_t j)
{
	json_t *ev[n_parts], *merged = json_array(), *last_pkt = NULL;
	size_t at[n_parts];
	json_int_t total = 0;

	for (int r = 0; r < n_parts; r++) {
		json_t *p = json_array_get(json_object_get(parts[r], "packets"), j);

		ev[r] = json_object_get(p, "events");
		at[r] = 0;
		total += (json_int_t)json_array_size(ev[r]) + json_integer_value(json_object_get(p, "events_lost"));
	}
	for (;;) {
		int best = -1;
		json_int_t best_t = 0;

		for (int r = 0; r < n_parts; r++) {
			json_t *e = json_array_get(ev[r], at[r]);
			json_int_t t = json_integer_value(json_object_get(e, "t_ns"));

			if (e && (best < 0 || t < best_t)) {
				best = r;
				best_t = t;
			}
		}
		if (best < 0)
			break;
		json_array_append(merged, json_array_get(ev[best], at[best]++));
		last_pkt = json_array_get(json_object_get(parts[best], "packets"), j);
	}
	while (json_array_size(merged) > TRACE_EVENTS_KEPT) /* keep the first 63 and the last */
		json_array_remove(merged, TRACE_EVENTS_KEPT - 1);
	json_object_set_new(into, "events_lost", json_integer(total - (json_int_t)json_array_size(merged)));
	if (last_pkt)
		json_object_set(into, "end", json_object_get(last_pkt, "end"));
	json_object_set_new(into, "events", merged);
}

json_t *loomd_mpi_gather_trace(struct loom_fabric *f, const uint16_t *sw_rank, int rank, int size)
{
	struct loom_trace *t = f->observe ? f->observe->trace : NULL;
	json_t *parts[size > 0 ? size : 1], *merged = NULL;
	char *mine, **all = NULL;
	json_t *own;
	int owner = 0;
	size_t j;

	if (!t)
		return NULL; /* the same on every rank */
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (f->switches[s].id == t->sw)
			owner = sw_rank[s];
	own = loom_trace_json(f, t);
	mine = own ? json_dumps(own, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(own);
	if (!mine || loom_mpi_gather_strings(mine, &all) < 0) {
		fprintf(stderr, "loomd: rank %d: out of memory for the trace\n", rank);
		loom_mpi_abort(1);
	}
	free(mine);
	if (rank != 0)
		return NULL;
	for (int r = 0; r < size; r++) {
		json_error_t je;

		parts[r] = json_loads(all[r], 0, &je);
		free(all[r]);
		if (!parts[r]) {
			fprintf(stderr, "loomd: rank %d's trace does not parse: %s\n", r, je.text);
			loom_mpi_abort(1);
		}
	}
	free(all);
	/* the owner's header and packets (id, addresses), the events of every rank */
	merged = json_deep_copy(parts[owner]);
	json_array_foreach(json_object_get(merged, "packets"), j, own)
		merge_packet(own, parts, size, j);
	for (int r = 0; r < size; r++)
		json_decref(parts[r]);
	return merged;
}
