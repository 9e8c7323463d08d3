/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `lb_set` control request, as loomctl (control/loomctl/lb_cmds.c)
 * writes it and loomd (dataplane/ctl/ctl_lb.c) reads it:
 *
 *   {"cmd": "lb_set", "mode": NAME, "switch": NAME?, "group": G?,
 *    "idle_time_ns": N?, "placement": "queue"|"band"?}
 *
 * mode: a load-balancing mode (loomctl lb show lists them); switch: one
 * switch of the loomd (absent: all); group: one group of that switch
 * (absent: every group of more than one member). idle_time_ns and
 * placement are the flowlet parameters (docs/POLICIES.md), which are the
 * switch's: they come with no "group", and every group the request
 * changes gets a state built with them. Types and ranges are checked here,
 * for both sides; the names (mode, placement, switch) by loomd.
 */
#ifndef LOOM_LB_SET_H
#define LOOM_LB_SET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The bound of the idle time, here and in the configuration (dataplane/lb/lb_config.c). */
#define LOOM_LB_IDLE_TIME_MAX_NS (10ull * 1000000000ull)

struct loom_lb_set_req {
	const char *mode;      /* borrowed: from the caller, or the request's JSON */
	const char *sw;        /* NULL: every switch */
	int64_t group;         /* -1: every group of more than one member */
	int64_t idle_time_ns;  /* -1: unchanged */
	const char *placement; /* NULL: unchanged */
};

#define LOOM_LB_SET_REQ_INIT {.mode = NULL, .sw = NULL, .group = -1, .idle_time_ns = -1, .placement = NULL}

/* The request as JSON (without "cmd"), or NULL when r breaks the rules above
 * (why in err). */
json_t *loom_lb_set_req_to_json(const struct loom_lb_set_req *r, char *err, size_t errlen);

/* The request read from req (its strings point into req). 0, or -1 with
 * the reason in err. */
int loom_lb_set_req_from_json(json_t *req, struct loom_lb_set_req *r, char *err, size_t errlen);

#endif
