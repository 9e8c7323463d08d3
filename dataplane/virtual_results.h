/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtual run's results (docs/VIRTUAL_TIME.md, "Results"): built and
 * written the same way by one loomd (loomd.c) and by rank 0 of a run over
 * MPI (loomd_mpi.c), so that both write the same bytes.
 */
#ifndef LOOMD_VIRTUAL_RESULTS_H
#define LOOMD_VIRTUAL_RESULTS_H

#include <jansson.h>

#include "fabric.h"
#include "runner_virtual.h"

/* The results of a virtual run (stats: NULL, or the fabric's `stats` JSON
 * already built, taken): NULL without memory. */
json_t *loomd_virtual_results(struct loom_fabric *f, const struct loom_vt_stats *vst, json_t *stats);
/* Writes and frees `out` to the file `results` (no symlink followed,
 * 0644) or to stdout: 0, or 1 (said). */
int loomd_write_results(json_t *out, const char *results);

#endif
