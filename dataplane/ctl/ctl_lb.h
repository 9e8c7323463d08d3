/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load-balancing control commands (ctl_lb.c):
 *   {"cmd": "lb", "switch": S?}                       modes, per-member counters, imbalance, reordering
 *   {"cmd": "lb_set", "mode": M, "switch": S?, "group": G?}  change a mode at runtime
 * and the "load_balancing" part of each switch in `stats`.
 */
#ifndef LOOM_CTL_LB_H
#define LOOM_CTL_LB_H

#include <jansson.h>

#include "ctl.h"
#include "lb_switch.h"

json_t *ctl_cmd_lb_show(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_lb_set(struct loomd_state *st, json_t *req);

/* For `stats`: the switch's load-balancing measurements from a snapshot
 * taken on the worker (loom_lb_snapshot_take). */
json_t *ctl_lb_switch_json(const struct loom_switch *sw, const struct loom_lb_snapshot *s);

#endif
