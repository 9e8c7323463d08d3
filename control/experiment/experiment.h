/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An experiment file (docs/EXPERIMENTS.md): one topology, and the matrix
 * of load-balancing modes x workload files x loads that
 * `loomctl experiment run` runs one after the other.
 */
#ifndef LOOM_EXPERIMENT_H
#define LOOM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "topo/topology.h"

#define EXP_MAX_AXIS 16
#define EXP_PATH_MAX 1024

struct experiment {
	char name[TOPO_NAME_MAX];
	char topology[EXP_PATH_MAX];          /* resolved against the file's folder */
	uint64_t duration_ns;                 /* 0: the topology's */
	uint64_t sample_interval_ns;          /* 0: duration / 100 */
	int n_modes;                          /* 0: the topology's own mode only */
	char modes[EXP_MAX_AXIS][TOPO_NAME_MAX];
	int n_workloads;
	char workloads[EXP_MAX_AXIS][EXP_PATH_MAX];
	int n_loads;                          /* 0: each workload as written */
	double loads[EXP_MAX_AXIS];
};

/* 0, or -1 with "FILE:LINE: problem" in err. */
int experiment_load(const char *path, struct experiment *e, char *err, size_t errlen);

#endif
