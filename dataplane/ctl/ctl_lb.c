/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load-balancing control commands. Reads go through a snapshot the worker
 * copies between two bursts; a mode change builds the new policy states
 * here, has the worker swap them in between two bursts (no packet is
 * half-way through a switch then, and policies hold no packets, so nothing
 * is lost), then frees the old states here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_lb.h"
#include "loom_lb_set.h"

static json_t *lb_error(const char *msg)
{
	json_t *r = json_pack("{s:b, s:s}", "ok", 0, "error", msg);

	/* a message that is not valid UTF-8 (cannot happen with the length
	 * check on names below, but a reply must always be sent) */
	return r ? r : json_pack("{s:b, s:s}", "ok", 0, "error", "lb: bad request");
}

static json_t *imbalance_json(const uint64_t *v, unsigned int n)
{
	struct lb_imbalance im = lb_imbalance_of(v, n);

	return json_pack("{s:f, s:f}", "max_over_mean", im.max_over_mean, "cv", im.cv);
}

static const char *const bucket_names[LB_REORDER_BUCKETS] = {"1", "2-3", "4-7", "8-15", "16-31", "32-63",
							     "64-127", "128+"};

static json_t *group_json(const struct loom_switch *sw, uint32_t g, const struct loom_lb_snapshot *s)
{
	/* the worker's copy: a fault's repair changes a group's members */
	const struct loom_group *grp = &s->groups[g];
	uint64_t bytes[grp->n_members], window[grp->n_members];
	json_t *members = json_array();

	for (uint16_t k = 0; k < grp->n_members; k++) {
		uint32_t i = grp->first + k;
		const struct loom_nexthop *nh = &sw->nexthops[s->members[i]];

		bytes[k] = s->c[i].bytes;
		window[k] = s->window_bytes[i];
		json_array_append_new(members, json_pack("{s:i, s:i, s:s, s:I, s:I, s:I}", "nexthop",
							 (int)s->members[i], "port", nh->port, "name",
							 sw->ports[nh->port].name, "packets", (json_int_t)s->c[i].packets,
							 "bytes", (json_int_t)s->c[i].bytes, "window_bytes",
							 (json_int_t)s->window_bytes[i]));
	}
	return json_pack("{s:i, s:s, s:o, s:o, s:o}", "group", (int)g, "mode", lb_policy_at(s->policy[g])->name,
			 "members", members, "imbalance", imbalance_json(bytes, grp->n_members), "window_imbalance",
			 imbalance_json(window, grp->n_members));
}

static json_t *reorder_json(const struct loom_switch *sw, uint16_t port, const struct lb_reorder_counters *c)
{
	json_t *hist = json_object();

	for (int b = 0; b < LB_REORDER_BUCKETS; b++)
		json_object_set_new(hist, bucket_names[b], json_integer((json_int_t)c->distance[b]));
	return json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "port", port, "name", sw->ports[port].name,
			 "packets", (json_int_t)c->packets, "out_of_order", (json_int_t)c->out_of_order, "flows",
			 (json_int_t)c->flows, "evictions", (json_int_t)c->evictions, "restarts",
			 (json_int_t)c->restarts, "distance", hist);
}

json_t *ctl_lb_switch_json(const struct loom_switch *sw, const struct loom_lb_snapshot *s)
{
	json_t *groups = json_array(), *reorder = json_array();

	if (!sw->lb || !s->policy)
		return json_object();
	for (uint32_t g = 0; g < sw->n_groups; g++)
		if (s->groups[g].n_members > 1)
			json_array_append_new(groups, group_json(sw, g, s));
	for (uint16_t p = 0; p < sw->n_ports; p++)
		if (sw->ports[p].reorder_measured)
			json_array_append_new(reorder, reorder_json(sw, p, &s->reorder[p]));
	return json_pack("{s:s, s:I, s:I, s:{s:I, s:s, s:I}, s:o, s:o}", "mode", lb_policy_at(s->default_policy)->name,
			 "window_ns", (json_int_t)s->window_ns, "window_end_ns", (json_int_t)s->window_end, "flowlet",
			 "idle_time_ns", (json_int_t)s->params.idle_time_ns, "placement",
			 lb_flowlet_placement_name(s->params.flowlet_placement), "table",
			 (json_int_t)s->params.flowlet_table_size, "groups", groups, "reorder", reorder);
}

/* The switches a request names ("switch" absent: all). -1 when it names
 * none of them. */
static int target_switch(const struct loom_fabric *f, json_t *req, int *only)
{
	const char *name = json_string_value(json_object_get(req, "switch"));

	*only = -1;
	if (!json_object_get(req, "switch"))
		return 0;
	for (uint16_t s = 0; name && s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, name) == 0)
			return *only = s, 0;
	return -1;
}

struct snap_call {
	const struct loom_fabric *f;
	struct loom_lb_snapshot *snap;
};

static void snap_on_worker(void *arg)
{
	struct snap_call *c = arg;

	for (uint16_t s = 0; s < c->f->n_switches; s++)
		loom_lb_snapshot_take(&c->f->switches[s], &c->snap[s]);
}

json_t *ctl_cmd_lb_show(struct loomd_state *st, json_t *req)
{
	const struct loom_fabric *f = st->fabric;
	struct snap_call c = {.f = f};
	json_t *switches = json_array(), *policies = json_array();
	int only;

	if (target_switch(f, req, &only) < 0)
		return json_decref(switches), json_decref(policies), lb_error("lb: no such switch in this loomd");
	c.snap = calloc(f->n_switches, sizeof(*c.snap));
	for (uint16_t s = 0; c.snap && s < f->n_switches; s++)
		if (loom_lb_snapshot_alloc(&f->switches[s], &c.snap[s]) < 0)
			goto oom;
	if (!c.snap)
		goto oom;
	loom_mailbox_call(st->mb, snap_on_worker, &c);
	for (uint16_t s = 0; s < f->n_switches; s++) {
		json_t *o;

		if (only >= 0 && s != only)
			continue;
		o = ctl_lb_switch_json(&f->switches[s], &c.snap[s]);
		json_object_set_new(o, "switch", json_string(f->switches[s].name));
		json_array_append_new(switches, o);
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		loom_lb_snapshot_free(&c.snap[s]);
	free(c.snap);
	for (unsigned int i = 0; i < lb_policy_count(); i++)
		json_array_append_new(policies, json_pack("{s:s, s:s}", "name", lb_policy_at(i)->name, "summary",
							  lb_policy_at(i)->summary));
	return json_pack("{s:b, s:{s:o, s:o}}", "ok", 1, "result", "policies", policies, "switches", switches);
oom:
	for (uint16_t s = 0; c.snap && s < f->n_switches; s++)
		loom_lb_snapshot_free(&c.snap[s]);
	free(c.snap);
	json_decref(switches);
	json_decref(policies);
	return lb_error("out of memory");
}

struct set_call {
	struct loom_lb_change *ch;
	uint16_t n;
};

static void commit_on_worker(void *arg)
{
	struct set_call *c = arg;

	for (uint16_t i = 0; i < c->n; i++)
		loom_lb_change_commit(&c->ch[i]);
}

/* The switch's tunables with the request's flowlet parameters; NULL when
 * it has none. */
static const struct lb_params *new_params(const struct loom_switch *sw, const struct loom_lb_set_req *r,
					  struct lb_params *p)
{
	if (r->idle_time_ns < 0 && !r->placement)
		return NULL;
	*p = sw->lb->params; /* changed only by lb_set's commits, which this thread waits for */
	if (r->idle_time_ns >= 0) {
		p->idle_time_ns = (loom_time_ns)r->idle_time_ns;
		p->load.horizon_ns = p->idle_time_ns; /* as at load (lb_config.c) */
	}
	if (r->placement)
		p->flowlet_placement = (uint8_t)lb_flowlet_placement_id(r->placement);
	return p;
}

json_t *ctl_cmd_lb_set(struct loomd_state *st, json_t *req)
{
	struct loom_fabric *f = st->fabric;
	struct loom_lb_set_req r;
	const char *mode;
	json_t *names;
	struct set_call c = {0};
	uint32_t group = UINT32_MAX, changed = 0;
	char msg[320], why[256];
	int only;

	if (loom_lb_set_req_from_json(req, &r, why, sizeof(why)) < 0)
		return lb_error(why);
	mode = r.mode;
	if (strlen(mode) > 31) /* no policy name is longer; also keeps quoting it in messages whole */
		return lb_error("lb_set: mode name too long");
	if (lb_policy_check_name(mode, why, sizeof(why)))
		return lb_error(why);
	if (r.placement && lb_flowlet_placement_id(r.placement) < 0)
		return lb_error("lb_set: \"placement\" must be queue or band");
	if (target_switch(f, req, &only) < 0)
		return lb_error("lb_set: no such switch in this loomd");
	/* CONGA's policies need the overlay between leaves, set up at load
	 * (dataplane/conga/): a fabric loaded without it cannot switch to them */
	if (strncmp(mode, "conga", 5) == 0 && f->conga == NULL)
		return lb_error("lb_set: conga needs the fabric loaded with load_balancing mode conga or conga_packet "
				"(the overlay between leaves is set up at load)");
	if (r.group >= 0) {
		if (r.group >= f->switches[only].n_groups)
			return lb_error("lb_set: no such group on that switch");
		group = (uint32_t)r.group;
	}
	c.ch = calloc(f->n_switches, sizeof(*c.ch));
	if (!c.ch)
		return lb_error("out of memory");
	for (uint16_t s = 0; s < f->n_switches; s++) {
		if (only >= 0 && s != only)
			continue;
		struct lb_params p;

		if (loom_lb_change_prepare(&c.ch[c.n], &f->switches[s], group, (uint16_t)lb_policy_id(mode),
					   new_params(&f->switches[s], &r, &p), msg, sizeof(msg)) < 0) {
			for (uint16_t i = 0; i < c.n; i++)
				loom_lb_change_finish(&c.ch[i]);
			free(c.ch);
			return lb_error(msg);
		}
		c.n++;
	}
	loom_mailbox_call(st->mb, commit_on_worker, &c);
	names = json_array();
	for (uint16_t i = 0; i < c.n; i++) {
		changed += c.ch[i].n;
		json_array_append_new(names, json_string(c.ch[i].sw->name));
		loom_lb_change_finish(&c.ch[i]);
	}
	free(c.ch);
	return json_pack("{s:b, s:{s:s, s:o, s:i}}", "ok", 1, "result", "mode", mode, "switches", names,
			 "groups_changed", (int)changed);
}
