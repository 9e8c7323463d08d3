/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual time split over MPI ranks (runner_mpi.c; docs/VIRTUAL_TIME.md
 * "Many ranks"). Every rank loads the whole fabric and runs its
 * partition's switches and their generator hosts (partition.h) with the
 * virtual-time runner; packets to a switch of another rank travel as
 * messages stamped with their arrival time, exchanged at the end of each
 * window. Results are gathered to rank 0, which writes them as a single
 * process would: the same bytes at any rank count.
 *
 * Built only with Open MPI (meson finds ompi-c: LOOM_HAVE_MPI); loomd
 * refuses --mpi otherwise.
 */
#ifndef LOOM_RUNNER_MPI_H
#define LOOM_RUNNER_MPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fabric.h"
#include "runner_virtual.h"

struct loom_vt_pool;

/* This rank's share of the run, as rank 0 reports it per rank. */
struct loom_mpi_rank_stats {
	uint64_t events, packets, msgs_sent, msgs_received, windows, switches, hosts;
	double loop_s, sync_s, peak_rss_mb;
};

/* MPI_Init; rank and size. 0, or -1 (said on stderr). */
int loom_mpi_init(int *argc, char ***argv, int *rank, int *size);
void loom_mpi_finalize(void);
/* Every rank stops (an error on one rank that the others cannot see). */
void loom_mpi_abort(int code);

/* Split f by `groups` (the configuration's "partition", NULL: automatic)
 * and run this rank's part to the duration. On rank 0, st holds the
 * fabric's sums (events, packets, in_flight) and f the final state of
 * every generator host (copied from their ranks); `ranks` (on rank 0,
 * size entries) each rank's share. Every rank calls it; 0, or -1 with a
 * message (the same on every rank: a split that cannot run). */
struct loom_series;
/* `series` (NULL: none): this rank's part of the time series, of its own
 * switches (its sw_rank and rank are set here; loomd_mpi.c merges). */
int loom_run_mpi(struct loom_fabric *f, const json_t *groups, struct loom_vt_pool *pool, struct loom_series *series,
		 struct loom_vt_stats *st, struct loom_mpi_rank_stats *ranks, uint16_t **sw_rank_out, char *err,
		 size_t errlen);

/* Rank 0's v, on every rank. */
uint64_t loom_mpi_bcast_u64(uint64_t v);

/* Rank 0's *len bytes at *buf to every rank (*len < 0: none, every rank
 * gets that). Other ranks get a malloc'd copy in *buf. */
void loom_mpi_bcast_bytes(char **buf, long *len);

/* Rank 0 gets every rank's string (out[r], malloc'd; its own too), in
 * rank order; other ranks get nothing. 0, or -1. */
int loom_mpi_gather_strings(const char *mine, char ***out);
/* Whether `mine` holds on every rank (every rank calls it). */
bool loom_mpi_all(bool mine);
/* Rank `from`'s `len` bytes to rank 0 (only those two call it; nothing
 * when from is 0): rank 0 gets a malloc'd copy in *out (*out_len bytes). */
void loom_mpi_bytes_to_root(int from, const void *mine, size_t len, char **out, size_t *out_len);

#endif
