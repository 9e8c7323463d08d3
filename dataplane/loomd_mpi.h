/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd --mpi: a virtual-time run split over the MPI ranks mpirun
 * started (loomd_mpi.c; runner/runner_mpi.h; docs/VIRTUAL_TIME.md "Many
 * ranks"). Rank 0 writes the results, the same bytes as one process.
 * Without Open MPI at build time these say so and refuse.
 */
#ifndef LOOMD_MPI_H
#define LOOMD_MPI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "fabric.h"
#include "runner_virtual.h"
#include "series.h"

#ifdef LOOM_HAVE_MPI
/* MPI_Init: 0, or -1 (said). */
int loomd_mpi_start(int *argc, char ***argv);
/* Rank 0 reads `path` and sends it to every rank, which keep it in a file
 * of their own (mkstemp under /tmp, removed by loomd_mpi_finish): the
 * path to load, or NULL (said; every rank stops). */
const char *loomd_mpi_share_config(const char *path);
/* This rank (0 before loomd_mpi_start, and without MPI). */
int loomd_mpi_rank(void);
/* Keeps what the split run needs of the configuration before loomd frees
 * it (its "partition", NULL: none; whether it has faults): 0, or -1. */
int loomd_mpi_take_config(const json_t *config, json_t *partition);
/* The run, the gathering, rank 0's results: loomd's exit code. */
int loomd_run_mpi_main(struct loom_fabric *f, const char *results, const struct loom_series *series,
		       double t_start);
void loomd_mpi_finish(void);
bool loomd_mpi_all_loaded(bool mine);
#else
static inline int loomd_mpi_start(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "loomd: --mpi: this loomd was built without MPI (install libopenmpi-dev, "
			"then meson setup --reconfigure and ninja)\n");
	return -1;
}
static inline int loomd_mpi_rank(void) { return 0; }
static inline const char *loomd_mpi_share_config(const char *path)
{
	(void)path;
	return NULL;
}
static inline int loomd_mpi_take_config(const json_t *config, json_t *partition)
{
	(void)config;
	(void)partition;
	return -1;
}
static inline int loomd_run_mpi_main(struct loom_fabric *f, const char *results, const struct loom_series *series,
				     double t_start)
{
	(void)f;
	(void)results;
	(void)series;
	(void)t_start;
	return 1;
}
static inline void loomd_mpi_finish(void) {}
static inline bool loomd_mpi_all_loaded(bool mine) { return mine; }
#endif

#endif
