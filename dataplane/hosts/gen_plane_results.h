/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-plane results of multi-plane generator hosts (gen_plane_results.c). */
#ifndef LOOM_GEN_PLANE_RESULTS_H
#define LOOM_GEN_PLANE_RESULTS_H

#include <jansson.h>

#include "fabric.h"

struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_rx_flow;

/* A flow's `planes` array: n planes, tx from the sender, rx from the receiver. */
json_t *loom_gen_plane_flow_json(const struct loom_gen_tx_flow *tf, const struct loom_gen_rx_flow *r, unsigned int n);
/* A host's `nic` object: the spread and each plane's counters. */
json_t *loom_gen_plane_host_json(const struct loom_fabric *f, const struct loom_gen_host *h);

#endif
