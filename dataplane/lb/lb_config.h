/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading a switch's "load_balancing" configuration (lb_config.c). */
#ifndef LOOM_LB_CONFIG_H
#define LOOM_LB_CONFIG_H

#include <jansson.h>

#include "lb_switch.h"

/* Build sw->lb from `cfg` (NULL: every group ecmp, default tunables) once
 * the switch's ports, next hops and groups are loaded. 0, or -1 with err. */
int loom_lb_load(struct loom_switch *sw, json_t *cfg, char *err, size_t errlen);

#endif
