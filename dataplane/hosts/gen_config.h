/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the experiment part of loomd's configuration: clock, seed,
 * duration, generator hosts and their flows (gen_config.c); and the
 * per-flow results they produce (gen_results.c).
 */
#ifndef LOOM_GEN_CONFIG_H
#define LOOM_GEN_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "fabric.h"

/* Reads clock, seed, duration_ns and generator_hosts from `root` into f.
 * Returns 0, or -1 with a message naming the host and field. */
int loom_gen_config_load(json_t *root, struct loom_fabric *f, char *err, size_t errlen);
/* After the switches are loaded: every generator host is linked; flow
 * rates resolved. */
int loom_gen_config_finish(struct loom_fabric *f, char *err, size_t errlen);
void loom_gen_config_free(struct loom_fabric *f);
/* Index of the generator host `name`, or -1. */
int loom_gen_host_find(const struct loom_fabric *f, const char *name);

/* Per-flow results, in the order the hosts and their flows are listed:
 * a JSON array (docs/VIRTUAL_TIME.md lists the fields). */
json_t *loom_gen_flows_json(const struct loom_fabric *f);
/* Per-host counters. */
json_t *loom_gen_hosts_json(const struct loom_fabric *f);

#endif
