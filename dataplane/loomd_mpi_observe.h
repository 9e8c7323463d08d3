/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A split run's trace and captures brought to rank 0 (loomd_mpi_observe.c):
 * the same files and the same trace as one process writes. Every rank
 * calls both, after the run and before rank 0 builds the results.
 */
#ifndef LOOMD_MPI_OBSERVE_H
#define LOOMD_MPI_OBSERVE_H

#include <stdint.h>

#include <jansson.h>

#include "fabric.h"

/* Rank 0's capture files get the frames of the other ranks' switches. */
void loomd_mpi_gather_captures(struct loom_fabric *f, const uint16_t *sw_rank, int rank);
/* Rank 0: the trace as one process's results have it (NULL: no trace, or
 * another rank). */
json_t *loomd_mpi_gather_trace(struct loom_fabric *f, const uint16_t *sw_rank, int rank, int size);

#endif
