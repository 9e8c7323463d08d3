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

json_t *ctl_cmd_trace_start(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_trace_show(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_trace_stop(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_start(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_read(struct loomd_state *st, json_t *req);
json_t *ctl_cmd_capture_stop(struct loomd_state *st, json_t *req);

/* A trace as JSON (`trace_show`, and a virtual-time run's results). */
json_t *ctl_trace_json(const struct loom_fabric *f, const struct loom_trace *t);

/* Check and build a trace for switch `sw` (port -1: any) of `count`
 * packets matching `match`: NULL with a message when something is wrong. */
struct loom_trace *ctl_trace_new(const struct loom_fabric *f, const char *sw, int64_t port, int64_t count,
				 const char *match, char *err, size_t errlen);

/* The name of a link end as captures call their interface:
 * "leaf0:2-spine1:0" (the port's name says what is on the other end). */
void ctl_link_name(const struct loom_switch *sw, uint16_t port, char *buf, size_t len);

#endif
