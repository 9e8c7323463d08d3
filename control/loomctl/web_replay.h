/* SPDX-License-Identifier: BSD-3-Clause */
/* `loomctl web --replay DIR`: the time series of an experiment's
 * virtual-time runs (docs/EXPERIMENTS.md: DIR/runs.json, runs/NAME/
 * series.csv) for the page's time slider. */
#ifndef LOOMCTL_WEB_REPLAY_H
#define LOOMCTL_WEB_REPLAY_H

#include <jansson.h>
#include <stddef.h>

/* GET /api/replay's text (caller frees) and, in *topology, the structure
 * of the topology the runs used; NULL with "FILE:LINE: problem" in err. */
char *web_replay_load(const char *dir, json_t **topology, char *err, size_t errlen);

#endif
