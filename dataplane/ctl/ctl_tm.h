/* SPDX-License-Identifier: BSD-3-Clause */
/* The traffic manager's part of the control commands (ctl_tm.c). */
#ifndef LOOM_CTL_TM_H
#define LOOM_CTL_TM_H

#include <stdbool.h>

#include <jansson.h>

#include "switch.h"
#include "tm.h"

struct loomd_state;

/* A port's TM counters, copied on the worker. */
struct ctl_tm_snapshot {
	bool on;
	uint8_t n_classes;
	struct tm_port_stats port;
	struct tm_queue_stats q[LOOM_TM_CLASSES];
	struct loom_pfc_wd_stats wd[LOOM_TM_CLASSES];
	uint8_t wd_stormed;     /* bit c: class c stormed now */
	uint64_t depth[LOOM_TM_CLASSES];
	uint32_t depth_pkts[LOOM_TM_CLASSES];
};

void ctl_tm_snapshot(const struct loom_port *p, struct ctl_tm_snapshot *s);
json_t *ctl_tm_stats_json(const struct ctl_tm_snapshot *s);
/* {"cmd": "tm", "op": "show"|"set", ...} */
json_t *ctl_cmd_tm(struct loomd_state *st, json_t *req);

#endif
