/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults over the control socket (docs/FAULTS.md):
 *   {"cmd": "link", "switch": S, "port": P, "state": "down"|"up"}
 *   {"cmd": "link", "switch": S, "port": P, "loss": X}   X in [0, 1], 0: off
 *   {"cmd": "link", "switch": S, "port": P, "ber": X}
 *   {"cmd": "switch", "switch": S, "state": "down"|"up"}
 * run on the worker between two bursts (dataplane/fault/ does the rest:
 * detection, repairs). A bad request gets an error reply; forwarding goes on.
 */
#ifndef LOOM_CTL_FAULT_H
#define LOOM_CTL_FAULT_H

#include "ctl.h"

json_t *ctl_cmd_link(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_switch(struct loomd_state *st, json_t *req);

#endif
