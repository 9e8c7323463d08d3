/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Time series of a run (loomd --series FILE --series-interval NS): every
 * interval, one CSV line per connected switch port with its counters at
 * that instant. Virtual time samples at exact multiples of the interval
 * (runner_virtual.c), so the file is as deterministic as the results.
 *
 * Columns: time_ns,switch,port,peer,rate_bps,tx_bytes,queued_bytes,
 * ecn_marked,dropped,pfc_xoff. tx_bytes, ecn_marked (all classes), dropped
 * (every reason counted on the port) and pfc_xoff (PAUSEs it sent) are
 * cumulative since the start: a reader takes differences (utilization of
 * the link from the switch = delta tx_bytes * 8 / (interval * rate)).
 * queued_bytes is the depth at that instant.
 *
 * Real time (series_realtime.h) samples on a thread of its own through
 * the `stats` snapshot (copied on the worker via the mailbox, like the
 * control socket's `stats`): the same columns, written from that JSON by
 * loom_series_write_stats, at about every interval of the TSC clock.
 */
#ifndef LOOM_SERIES_H
#define LOOM_SERIES_H

#include <stdio.h>

#include <jansson.h>

#include "fabric.h"
#include "loom_output_file.h"

struct loom_series {
	FILE *out;               /* NULL: no series */
	loom_time_ns interval_ns;
	struct loom_output_cap *cap; /* the file's size cap (--series-max-bytes); NULL: none */
	/* a run split over MPI ranks (loomd_mpi.c): only the switches with
	 * sw_rank[s] == rank are sampled, into this rank's part; NULL: all */
	const uint16_t *sw_rank;
	uint16_t rank;
};

void loom_series_header(const struct loom_series *s);
void loom_series_sample(const struct loom_series *s, const struct loom_fabric *f, loom_time_ns now);
/* The rows of one `stats` result (ctl_commands.c): the same columns as
 * loom_series_sample, at the snapshot's time_ns. */
void loom_series_write_stats(const struct loom_series *s, const json_t *stats);
/* n bytes of whole lines, written as the series' own (the size cap counts them). */
void loom_series_write_lines(const struct loom_series *s, const char *lines, size_t n);

#endif
