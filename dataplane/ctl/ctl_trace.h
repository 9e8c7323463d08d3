/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traces and captures over the control socket (ctl_trace.c,
 * docs/TRACE.md):
 *   {"cmd": "trace_start", "switch": S, "port": P?, "count": N?, "match": EXPR?}
 *   {"cmd": "trace_show"}      the packets traced so far, event by event
 *   {"cmd": "trace_stop"}
 *   {"cmd": "capture_start", "switch": S, "port": P, "dir": "rx"|"tx"|"both"?, "count": N?, "filter": EXPR?}
 *   {"cmd": "capture_read", "id": ID}   frames taken since the last read (hex), and whether it is done
 *   {"cmd": "capture_stop", "id": ID}
 * loomd never writes a capture file here: the client (loomctl capture)
 * reads the frames and writes the pcapng itself, as the user.
 */
#ifndef LOOM_CTL_TRACE_H
#define LOOM_CTL_TRACE_H

#include <jansson.h>

#include "ctl.h"
#include "observe.h"
#include "trace_spec.h"

json_t *ctl_cmd_trace_start(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_trace_show(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_trace_stop(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_start(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_read(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_stop(struct loomd_state *st, json_t *req);

#endif
