/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `routes` control request's reply, as loomd (dataplane/ctl/ctl_routes.c)
 * writes it and loomctl (control/loomctl/show_cmds.c) reads it: a switch's
 * routes as its route table holds them now, each beside the route the
 * configuration gave it, so that a fault's repair (docs/FAULTS.md) shows.
 *
 *   {"cmd": "routes", "switch": NAME} ->
 *   {"switch": NAME, "live": true, "time_ns": T,
 *    "routes": [{"prefix": "10.0.1.0/24", "state": ROUTE_STATE,
 *                "group": G|null (the table's now; null: withdrawn),
 *                "configured_group": G|null (null: not configured),
 *                "members": [{"nexthop": N, "port": P, "peer": NAME,
 *                             "link": "up"|"down", "state": MEMBER_STATE}]}],
 *    "nexthops": [...], "groups": [...]}  (the configuration's, as before)
 *
 * The states are named once, here; both sides convert through these.
 */
#ifndef LOOM_LIVE_ROUTES_H
#define LOOM_LIVE_ROUTES_H

enum loom_route_state {
	LOOM_ROUTE_AS_CONFIGURED, /* its configured group, every member in use */
	LOOM_ROUTE_REPAIRED,      /* some configured members out of use (local or global repair) */
	LOOM_ROUTE_WITHDRAWN,     /* gone from the table: its packets are dropped as no_route */
	LOOM_ROUTE_ADDED,         /* in the table, not in the configuration */
	LOOM_ROUTE_STATE_MAX
};

enum loom_member_state {
	LOOM_MEMBER_IN_USE,    /* the group sends over it */
	LOOM_MEMBER_DOWN,      /* taken out: its switch detected its link down (local repair) */
	LOOM_MEMBER_WITHDRAWN, /* taken out by the control plane: its link is up, the switch behind does not reach */
	LOOM_MEMBER_ADDED,     /* in use, not a configured member of the route */
	LOOM_MEMBER_STATE_MAX
};

static const char *const loom_route_state_names[LOOM_ROUTE_STATE_MAX] = {"as_configured", "repaired",
									 "withdrawn", "added"};
static const char *const loom_member_state_names[LOOM_MEMBER_STATE_MAX] = {"in_use", "down", "withdrawn", "added"};

/* The state named `name`; -1 when none is (a reply from another version). */
static inline int loom_route_state_of(const char *name)
{
	for (int i = 0; name && i < LOOM_ROUTE_STATE_MAX; i++)
		if (__builtin_strcmp(name, loom_route_state_names[i]) == 0)
			return i;
	return -1;
}

static inline int loom_member_state_of(const char *name)
{
	for (int i = 0; name && i < LOOM_MEMBER_STATE_MAX; i++)
		if (__builtin_strcmp(name, loom_member_state_names[i]) == 0)
			return i;
	return -1;
}

#endif
