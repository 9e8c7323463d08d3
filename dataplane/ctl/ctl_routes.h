/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * {"cmd": "routes", "switch": NAME}: a switch's routes as its route table
 * holds them now, beside the configured ones (api/loom_live_routes.h has
 * the reply): what a fault's repair changed shows here.
 */
#ifndef LOOM_CTL_ROUTES_H
#define LOOM_CTL_ROUTES_H

#include <jansson.h>

#include "ctl.h"

json_t *ctl_cmd_routes(struct loomd_state *st, json_t *req);

#endif
