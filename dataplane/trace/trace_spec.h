/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traces and captures as people name them (trace_spec.c): switches by
 * name, ports by index, a trace's packets as JSON (docs/TRACE.md). The
 * control socket's commands (ctl/ctl_trace.c) and a virtual-time run's
 * `trace` and `captures` (config/config_observe.c) both build on it.
 */
#ifndef LOOM_TRACE_SPEC_H
#define LOOM_TRACE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fabric.h"
#include "observe.h"

/* The switch named `name` and its port `port` (-1: any, when not
 * `port_required`), checked against this loomd's fabric: 0, or -1 with a
 * message (a name the client sent is quoted, at most 40 bytes). */
int loom_observe_port_of(const struct loom_fabric *f, const char *name, int64_t port, bool port_required,
			 const struct loom_switch **sw, char *err, size_t errlen);

/* The name of the switch whose topology id is `id` ("?" if this loomd
 * does not hold it). */
const char *loom_trace_switch_name(const struct loom_fabric *f, uint16_t id);

/* Check and build a trace for switch `sw` (port -1: any) of `count`
 * packets matching `match`: NULL with a message when something is wrong. */
struct loom_trace *loom_trace_new(const struct loom_fabric *f, const char *sw, int64_t port, int64_t count,
				  const char *match, char *err, size_t errlen);

/* A trace as JSON (`trace_show`, and a virtual-time run's results). */
json_t *loom_trace_json(const struct loom_fabric *f, const struct loom_trace *t);

/* The name of a link end as captures call their interface:
 * "leaf0:2-spine1:0" (the port's name says what is on the other end). */
void loom_capture_link_name(const struct loom_switch *sw, uint16_t port, char *buf, size_t len);

#endif
