/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtual run's results (docs/VIRTUAL_TIME.md, "Results"): built and
 * written the same way by one loomd (loomd.c) and by rank 0 of a run over
 * MPI (loomd_mpi.c), so that both write the same bytes.
 */
#ifndef LOOMD_VIRTUAL_RESULTS_H
#define LOOMD_VIRTUAL_RESULTS_H

#include <sys/resource.h>

#include <jansson.h>

#include "fabric.h"
#include "runner_virtual.h"

/* The results of a virtual run (stats: the fabric's `stats` JSON already
 * built, taken; or NULL: its "switches" left empty, for
 * loomd_write_results to write from the fabric): NULL without memory. */
json_t *loomd_virtual_results(struct loom_fabric *f, const struct loom_vt_stats *vst, json_t *stats);
/* Writes and frees `out` to the file `results` (no symlink followed,
 * 0644) or to stdout, as json_dumpf with JSON_INDENT(1) would; f: the
 * fabric whose switches fill "switches", one built at a time (out from
 * loomd_virtual_results without stats), else NULL. 0, or 1 (said). */
int loomd_write_results(json_t *out, const struct loom_fabric *f, const char *results);

/* Seconds on the monotonic clock (wall time of a run's parts). */
double loomd_wall_seconds(void);
/* The two lines a virtual run prints on stderr (events, rates, set-up and
 * loop time, CPU; bench/virtual_scale.py reads them): `wall` the run's
 * wall time, `before_s` the process's time before the run, `tag` appended
 * to both lines (e.g. " (rank 0)"). */
void loomd_print_run_figures(const struct loom_vt_stats *vst, double wall, double before_s, const struct rusage *ru,
			     const char *tag);

#endif
