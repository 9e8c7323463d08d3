/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live routes of a switch (ctl_routes.h). Route tables and groups
 * change only on the worker (loom_switch_route_set, the local repair's
 * loom_lb_group_reorder), and DPDK's tables are not safe to walk while
 * they change, so the worker copies them between two bursts, as `stats`
 * and `lb` take their snapshots: the switch's route table walked into an
 * array allocated here (forwarding pauses for one walk of one switch's
 * routes, no allocation on the worker), its groups' slots and its ports'
 * link states. The reply is built from the copy on
 * the control thread, with the configured routes beside it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_routes.h"
#include "fault.h"
#include "loom_live_routes.h"
#include "loomd_config_keys.h"
#include "route_table.h"

struct live_route {
	uint8_t family, len;
	uint8_t addr[16];
	uint32_t group;
	bool matched; /* a configured route was found for it */
};

struct routes_call {
	const struct loom_fabric *f;
	const struct loom_clock *clock;
	uint16_t s;
	uint32_t n, cap; /* routes in the table; room in r */
	struct live_route *r;
	struct loom_group *groups; /* [n_groups] */
	uint32_t *members;         /* [n_members] */
	uint8_t *link_state;       /* [n_ports] LOOM_LINK_STATE_* */
	loom_time_ns now;
	json_t *cfg_nexthops;      /* the configuration's, for the peers' names */
};

static int copy_route(void *ctx, int family, const uint8_t addr[16], uint8_t len, uint32_t group)
{
	struct routes_call *c = ctx;

	if (c->n < c->cap) {
		struct live_route *r = &c->r[c->n];

		r->family = (uint8_t)family;
		r->len = len;
		memcpy(r->addr, addr, 16);
		r->group = group;
		r->matched = false;
	}
	c->n++; /* counted on when full: the caller asks again with room for all */
	return 0;
}

static void routes_copy_on_worker(void *arg)
{
	struct routes_call *c = arg;
	const struct loom_switch *sw = &c->f->switches[c->s];

	c->now = loom_clock_now(c->clock);
	c->n = 0;
	loom_route_table_walk(sw->routes, copy_route, c);
	memcpy(c->groups, sw->groups, sw->n_groups * sizeof(*c->groups));
	memcpy(c->members, sw->members, sw->n_members * sizeof(*c->members));
	for (uint16_t p = 0; p < sw->n_ports; p++)
		c->link_state[p] = (uint8_t)loom_fault_port_state(c->f, c->s, p);
}

static json_t *routes_error(const char *fmt, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), fmt, what);
	json_t *r = json_pack("{s:b, s:s}", "ok", 0, "error", msg);

	return r ? r : json_pack("{s:b, s:s}", "ok", 0, "error", "routes: bad request");
}

/* "10.0.1.0/24" -> family, address, length; -1 when it is not a prefix. */
static int prefix_parse(const char *text, uint8_t *family, uint8_t addr[16], uint8_t *len)
{
	char buf[64], *slash, *end;
	long l;

	if (!text || strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	l = strtol(slash + 1, &end, 10);
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = 6;
	else
		return -1;
	if (*end || l < 0 || l > (*family == 4 ? 32 : 128))
		return -1;
	*len = (uint8_t)l;
	return 0;
}

static void prefix_format(const struct live_route *r, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
	snprintf(out, n, "%s/%u", a, r->len);
}

static struct live_route *live_find(struct routes_call *c, uint8_t family, const uint8_t addr[16], uint8_t len)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (c->r[i].family == family && c->r[i].len == len && memcmp(c->r[i].addr, addr, 16) == 0)
			return &c->r[i];
	return NULL;
}

static json_t *member_json(const struct loom_switch *sw, const struct routes_call *c, uint32_t nh,
			   enum loom_member_state state)
{
	uint16_t port = sw->nexthops[nh].port;
	/* the configuration's name of what is behind the port */
	const char *peer = json_string_value(json_object_get(json_array_get(c->cfg_nexthops, nh),
							     LOOMD_KEY(NEXTHOP_PEER)));

	if (!peer)
		peer = sw->ports[port].name;

	return json_pack("{s:I, s:i, s:s, s:s, s:s}", "nexthop", (json_int_t)nh, "port", port, "peer", peer,
			 "link", c->link_state[port] & LOOM_LINK_STATE_DOWN ? "down" : "up", "state",
			 loom_member_state_names[state]);
}

/* One route: the configured group's members (cfg, NULL: not configured)
 * each with its state, then members in use that the configuration did not
 * give it. A member is out of use when the group's live slots (after the
 * local repair, the first n_members) do not hold it: "down" when its
 * switch detected its link down, else "withdrawn" (the global repair
 * thinned the route to the members that reach). Next hops may repeat in a
 * group: matched one slot each. */
static json_t *route_json(const struct loom_switch *sw, const struct routes_call *c, const char *prefix,
			  const struct live_route *live, json_t *cfg, json_int_t cfg_group)
{
	const struct loom_group *g = live ? &c->groups[live->group] : NULL;
	uint16_t n_live = g ? g->n_members : 0;
	bool used[n_live ? n_live : 1];
	json_t *members = json_array(), *jm;
	enum loom_route_state state;
	bool out = false;
	size_t i;

	memset(used, 0, sizeof(used));
	json_array_foreach(cfg, i, jm) {
		uint32_t nh = (uint32_t)json_integer_value(jm);
		uint16_t k = 0;
		enum loom_member_state ms;

		if (nh >= sw->n_nexthops)
			continue;
		while (k < n_live && (used[k] || c->members[g->first + k] != nh))
			k++;
		if (k < n_live) {
			used[k] = true;
			ms = LOOM_MEMBER_IN_USE;
		} else {
			ms = c->link_state[sw->nexthops[nh].port] & LOOM_LINK_STATE_DETECTED ? LOOM_MEMBER_DOWN
											      : LOOM_MEMBER_WITHDRAWN;
			out = true;
		}
		json_array_append_new(members, member_json(sw, c, nh, ms));
	}
	for (uint16_t k = 0; k < n_live; k++)
		if (!used[k] && c->members[g->first + k] < sw->n_nexthops) {
			json_array_append_new(members, member_json(sw, c, c->members[g->first + k], LOOM_MEMBER_ADDED));
			out |= cfg != NULL;
		}
	if (!live)
		state = LOOM_ROUTE_WITHDRAWN;
	else if (!cfg)
		state = LOOM_ROUTE_ADDED;
	else
		state = out ? LOOM_ROUTE_REPAIRED : LOOM_ROUTE_AS_CONFIGURED;
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "prefix", prefix, "state", loom_route_state_names[state], "group",
			 live ? json_integer(live->group) : json_null(), "configured_group",
			 cfg ? json_integer(cfg_group) : json_null(), "members", members);
}

static void call_free(struct routes_call *c)
{
	free(c->r);
	free(c->groups);
	free(c->members);
	free(c->link_state);
}

/* The worker's copy, with room for every route (a table that grew between
 * two calls is asked again, a few times at most). */
static int routes_take(struct loomd_state *st, struct routes_call *c)
{
	const struct loom_switch *sw = &st->fabric->switches[c->s];

	c->groups = calloc(sw->n_groups + 1, sizeof(*c->groups));
	c->members = calloc(sw->n_members + 1, sizeof(*c->members));
	c->link_state = calloc(sw->n_ports + 1, sizeof(*c->link_state));
	if (!c->groups || !c->members || !c->link_state)
		return -1;
	c->cap = 256;
	for (int tries = 0; tries < 4; tries++) {
		free(c->r);
		c->r = calloc(c->cap, sizeof(*c->r));
		if (!c->r)
			return -1;
		loom_mailbox_call(st->mb, routes_copy_on_worker, c);
		if (c->n <= c->cap)
			return 0;
		c->cap = c->n + c->n / 4;
	}
	return -1;
}

json_t *ctl_cmd_routes(struct loomd_state *st, json_t *req)
{
	const struct loom_fabric *f = st->fabric;
	const char *name = json_string_value(json_object_get(req, "switch"));
	json_t *cfg_switches = json_object_get(f->config, LOOMD_KEY(ROOT_SWITCHES)), *js = NULL, *cfg_sw, *jr;
	struct routes_call c = {.f = f, .clock = st->clock};
	const struct loom_switch *sw;
	json_t *routes, *cfg_groups;
	char prefix[64];
	size_t i;
	int s = -1;

	if (!name)
		return routes_error("%s", "routes needs \"switch\": the name of a switch of this loomd");
	for (uint16_t k = 0; k < f->n_switches && s < 0; k++)
		if (strcmp(f->switches[k].name, name) == 0)
			s = k;
	json_array_foreach(cfg_switches, i, cfg_sw)
		if (!js && strcmp(json_string_value(json_object_get(cfg_sw, LOOMD_KEY(SWITCH_NAME))) ?: "", name) == 0)
			js = cfg_sw;
	if (s < 0 || !js)
		return routes_error("no switch '%.64s' in this loomd", name);
	sw = &f->switches[s];
	c.s = (uint16_t)s;
	if (!sw->routes)
		return routes_error("switch '%.64s' has no route table (a cell fabric switch is not routed)", name);
	if (routes_take(st, &c) < 0) {
		call_free(&c);
		return routes_error("%s", "routes: out of memory");
	}
	cfg_groups = json_object_get(js, LOOMD_KEY(SWITCH_GROUPS));
	c.cfg_nexthops = json_object_get(js, LOOMD_KEY(SWITCH_NEXTHOPS));
	routes = json_array();
	/* the configured routes in their order, each with what the table has */
	json_array_foreach(json_object_get(js, LOOMD_KEY(SWITCH_ROUTES)), i, jr) {
		const char *text = json_string_value(json_object_get(jr, LOOMD_KEY(ROUTE_PREFIX)));
		json_int_t g = json_integer_value(json_object_get(jr, LOOMD_KEY(ROUTE_GROUP)));
		uint8_t family, addr[16], len;
		struct live_route *live;

		if (prefix_parse(text, &family, addr, &len) < 0)
			continue; /* loomd refused such a configuration at load */
		live = live_find(&c, family, addr, len);
		if (live && live->group >= sw->n_groups)
			live = NULL;
		if (live)
			live->matched = true;
		json_array_append_new(routes, route_json(sw, &c, text, live, json_array_get(cfg_groups, (size_t)g), g));
	}
	/* then routes the configuration did not have */
	for (uint32_t k = 0; k < c.n; k++)
		if (!c.r[k].matched && c.r[k].group < sw->n_groups) {
			prefix_format(&c.r[k], prefix, sizeof(prefix));
			json_array_append_new(routes, route_json(sw, &c, prefix, &c.r[k], NULL, -1));
		}
	call_free(&c);
	return json_pack("{s:b, s:{s:s, s:b, s:I, s:o, s:O, s:O}}", "ok", 1, "result", "switch", name, "live", 1,
			 "time_ns", (json_int_t)c.now, "routes", routes, LOOMD_KEY(SWITCH_NEXTHOPS),
			 c.cfg_nexthops, LOOMD_KEY(SWITCH_GROUPS), cfg_groups);
}
