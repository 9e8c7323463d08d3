/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two repairs after a fault is detected (fault.h).
 *
 * Local, at detection, on the switch that noticed: each of its groups
 * keeps its live members first and uses only those (the dead ones stay
 * in the group's slots, for when they come back); a group with no live
 * member keeps them all, and what it sends goes into the dead link
 * (link_down) until the global repair withdraws the route. Every policy
 * sees the group's members through n_members, so ecmp, spray, flowlet,
 * adaptive and drill all skip the dead ones (lb/lb_switch.c rebuilds
 * their state).
 *
 * Global, repair_delay later, as a control plane that recomputes routes:
 * for each destination prefix, a switch reaches it if it is local (a
 * member to a host) or if some member's link is up and the switch behind
 * it reaches it (a switch without that prefix counts as reaching it:
 * nothing is known against it; a loop counts as not reaching). Each route
 * then keeps the members that reach: all of its group's live ones (the
 * configured group), none (withdrawn: no_route), or some (a spare group
 * holding those, loom_switch.spare_groups_first). In a Clos with
 * valley-free shortest paths this is what BGP converges to after a
 * failure: no path is longer than the configured ones.
 *
 * Routes change only through loom_switch_route_set (core/route_table.h:
 * a table shared by switches with the same routes is copied first).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_internal.h"
#include "lb_switch.h"
#include "loomd_config_keys.h"
#include "route_table.h"
#include "stages.h"

/* How far a group is thinned per member: routes of groups wider than
 * this keep their configured group (the local repair still applies). */
#define REPAIR_MAX_WIDTH 64
/* A route's target not decided yet (LOOM_GROUP_NONE, UINT32_MAX, is "withdrawn"). */
#define TARGET_OPEN (UINT32_MAX - 1)

struct ri_route {
	uint8_t key[18]; /* family, length, address (network order): routes of one prefix are adjacent */
	uint16_t sw;
	uint32_t cfg_group;
	uint32_t cur_group; /* what the route table says now (LOOM_GROUP_NONE: withdrawn) */
	uint32_t target;
	uint64_t want;      /* the members that reach, by rank in the group (group_nexthops) */
	bool wide;          /* group wider than REPAIR_MAX_WIDTH: not thinned */
};

struct ri_spare {
	bool in_use, used_now;
	uint32_t cfg_group;
	uint64_t mask;
};

struct repair_index {
	uint32_t n;
	struct ri_route *r; /* by (key, switch) */
	uint8_t *memo;      /* [switch] while one prefix is computed */
	struct ri_spare (*spare)[LOOM_REPAIR_SPARE_GROUPS]; /* [switch] */
};

enum { MEMO_UNKNOWN, MEMO_VISITING, MEMO_YES, MEMO_NO };

static struct repair_index *index_build(struct loom_faults *F);

int fault_repair_init(struct loom_faults *F, char *err, size_t errlen)
{
	struct loom_fabric *f = F->f;

	F->cap = calloc(f->n_switches, sizeof(*F->cap));
	if (!F->cap)
		goto oom;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		F->cap[s] = calloc(sw->n_groups + 1, sizeof(**F->cap));
		if (!F->cap[s])
			goto oom;
		for (uint32_t g = 0; g < sw->spare_groups_first; g++)
			F->cap[s][g] = sw->groups[g].n_members;
	}
	/* The routes' index is read from the configuration's JSON, which a
	 * virtual run frees before it starts (loomd.c): built now, in a
	 * virtual run only when faults are scheduled. In real time always:
	 * built at the first repair, on the worker, it stalled forwarding
	 * (37 ms measured for 2 planes of 2 x 2 switches, loomd's fidelity
	 * record). */
	if ((F->n_sched > 0 || f->clock_mode != LOOM_CLOCK_VIRTUAL) && !(F->ri = index_build(F)))
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void fault_repair_free(struct loom_faults *F)
{
	for (uint16_t s = 0; F->cap && s < F->f->n_switches; s++)
		free(F->cap[s]);
	free(F->cap);
	if (F->ri) {
		free(F->ri->r);
		free(F->ri->memo);
		free(F->ri->spare);
		free(F->ri);
	}
}

static bool slot_live(const struct loom_faults *F, uint16_t s, uint32_t slot)
{
	const struct loom_switch *sw = &F->f->switches[s];

	return !F->port[s][sw->nexthops[sw->members[slot]].port].detected_down;
}

void fault_repair_local(struct loom_faults *F, uint16_t s)
{
	struct loom_switch *sw = &F->f->switches[s];

	if (sw->lb == NULL)
		return;
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		uint16_t cap = F->cap[s][g], n = 0, live;
		uint32_t first = sw->groups[g].first, order[cap ? cap : 1];
		bool same = true;

		if (cap == 0)
			continue;
		for (uint16_t i = 0; i < cap; i++)
			if (slot_live(F, s, first + i))
				order[n++] = i;
		live = n;
		for (uint16_t i = 0; i < cap; i++)
			if (!slot_live(F, s, first + i))
				order[n++] = i;
		for (uint16_t i = 0; i < cap; i++)
			same &= order[i] == i;
		if (live == 0)
			live = cap; /* nothing left: into the dead links, until the routes change */
		if (same && live == sw->groups[g].n_members)
			continue;
		loom_lb_group_reorder(sw, g, order, cap, live);
		F->c.local_repairs++;
	}
}

/* --- the route index (built at the first global repair) --------------- */

static int key_of(const char *prefix, uint8_t key[18])
{
	char buf[64];
	const char *slash = strchr(prefix, '/');
	char *end;
	long len;

	if (!slash || (size_t)(slash - prefix) >= sizeof(buf))
		return -1;
	memcpy(buf, prefix, (size_t)(slash - prefix));
	buf[slash - prefix] = '\0';
	len = strtol(slash + 1, &end, 10);
	memset(key, 0, 18);
	if (*end || len < 0)
		return -1;
	if (inet_pton(AF_INET, buf, key + 2) == 1 && len <= 32)
		key[0] = 4;
	else if (inet_pton(AF_INET6, buf, key + 2) == 1 && len <= 128)
		key[0] = 6;
	else
		return -1;
	key[1] = (uint8_t)len;
	return 0;
}

static int route_cmp(const void *a, const void *b)
{
	const struct ri_route *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c ? c : (int)x->sw - (int)y->sw;
}

static struct repair_index *index_build(struct loom_faults *F)
{
	struct loom_fabric *f = F->f;
	struct repair_index *ri = calloc(1, sizeof(*ri));
	json_t *switches = json_object_get(f->config, LOOMD_KEY(ROOT_SWITCHES)), *js, *jr;
	size_t i, j, total = 0;

	if (!ri)
		return NULL;
	json_array_foreach(switches, i, js)
		total += json_array_size(json_object_get(js, LOOMD_KEY(SWITCH_ROUTES)));
	ri->r = calloc(total + 1, sizeof(*ri->r));
	ri->memo = calloc(f->n_switches, 1);
	ri->spare = calloc(f->n_switches, sizeof(*ri->spare));
	if (!ri->r || !ri->memo || !ri->spare)
		goto fail;
	/* the configuration was checked when it was loaded: its switches are
	 * f->switches in order, its routes are in the route tables */
	json_array_foreach(switches, i, js) {
		json_array_foreach(json_object_get(js, LOOMD_KEY(SWITCH_ROUTES)), j, jr) {
			struct ri_route *r = &ri->r[ri->n];
			const char *pfx = json_string_value(json_object_get(jr, LOOMD_KEY(ROUTE_PREFIX)));

			if (!pfx || key_of(pfx, r->key) < 0)
				continue;
			r->sw = (uint16_t)i;
			r->cfg_group = r->cur_group =
				(uint32_t)json_integer_value(json_object_get(jr, LOOMD_KEY(ROUTE_GROUP)));
			r->wide = F->cap[i][r->cfg_group] > REPAIR_MAX_WIDTH;
			ri->n++;
		}
	}
	qsort(ri->r, ri->n, sizeof(*ri->r), route_cmp);
	return ri;
fail:
	free(ri->r);
	free(ri->memo);
	free(ri->spare);
	free(ri);
	return NULL;
}

/* The next hops of configured group g of switch s, sorted: a route's
 * members are named by their rank here (the local repair reorders the
 * group's slots, not the set). Returns how many. */
static uint16_t group_nexthops(const struct loom_faults *F, uint16_t s, uint32_t g, uint32_t *nh)
{
	const struct loom_switch *sw = &F->f->switches[s];
	uint16_t n = F->cap[s][g];

	for (uint16_t i = 0; i < n; i++) {
		uint32_t v = sw->members[sw->groups[g].first + i], k = i;

		while (k > 0 && nh[k - 1] > v) {
			nh[k] = nh[k - 1];
			k--;
		}
		nh[k] = v;
	}
	return n;
}

/* Members of route `idx` whose ports its switch believes up (by rank). */
static uint64_t live_mask(const struct loom_faults *F, const struct ri_route *r)
{
	const struct loom_switch *sw = &F->f->switches[r->sw];
	uint32_t nh[REPAIR_MAX_WIDTH];
	uint16_t n = group_nexthops(F, r->sw, r->cfg_group, nh);
	uint64_t m = 0;

	for (uint16_t i = 0; i < n; i++)
		if (!F->port[r->sw][sw->nexthops[nh[i]].port].detected_down)
			m |= 1ull << i;
	return m;
}

static bool reach(struct loom_faults *F, uint32_t lo, uint32_t hi, uint16_t t);

/* Which members of route `idx` reach its prefix (routes [lo, hi)). */
static uint64_t reaching_mask(struct loom_faults *F, uint32_t lo, uint32_t hi, uint32_t idx)
{
	struct ri_route *r = &F->ri->r[idx];
	const struct loom_switch *sw = &F->f->switches[r->sw];
	uint32_t nh[REPAIR_MAX_WIDTH];
	uint16_t n = group_nexthops(F, r->sw, r->cfg_group, nh);
	uint64_t m = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint16_t p = sw->nexthops[nh[i]].port;
		const struct loom_link_spec *l = &F->f->links[r->sw][p];

		if (F->port[r->sw][p].detected_down)
			continue;
		if (l->kind != LOOM_LINK_RING || reach(F, lo, hi, l->peer_switch))
			m |= 1ull << i;
	}
	return m;
}

/* Does switch t reach the prefix of routes [lo, hi)? */
static bool reach(struct loom_faults *F, uint32_t lo, uint32_t hi, uint16_t t)
{
	struct repair_index *ri = F->ri;
	uint32_t a = lo, b = hi;

	while (a < b) { /* t's route among them: by switch */
		uint32_t mid = a + (b - a) / 2;
		if (ri->r[mid].sw < t)
			a = mid + 1;
		else
			b = mid;
	}
	if (a == hi || ri->r[a].sw != t)
		return true; /* no route of its own there: nothing known against it */
	if (ri->memo[t] == MEMO_YES || ri->memo[t] == MEMO_NO)
		return ri->memo[t] == MEMO_YES;
	if (ri->memo[t] == MEMO_VISITING)
		return false;
	ri->memo[t] = MEMO_VISITING;
	if (ri->r[a].wide)
		ri->r[a].want = 1; /* not thinned: reaches if it did */
	else
		ri->r[a].want = reaching_mask(F, lo, hi, a);
	ri->memo[t] = ri->r[a].want ? MEMO_YES : MEMO_NO;
	return ri->r[a].want != 0;
}

/* Fill spare k of switch s with the members `mask` of configured group g. */
static void spare_fill(struct loom_faults *F, uint16_t s, uint32_t k, uint32_t g, uint64_t mask)
{
	struct loom_switch *sw = &F->f->switches[s];
	uint32_t nh[REPAIR_MAX_WIDTH], sel[REPAIR_MAX_WIDTH];
	uint16_t n = group_nexthops(F, s, g, nh), m = 0;
	uint32_t spare = sw->spare_groups_first + k;

	for (uint16_t i = 0; i < n; i++)
		if (mask & (1ull << i))
			sel[m++] = nh[i];
	loom_lb_group_fill(sw, spare, sel, m, sw->groups[g].policy);
	F->cap[s][spare] = m;
	F->ri->spare[s][k] = (struct ri_spare){.in_use = true, .used_now = true, .cfg_group = g, .mask = mask};
}

/* Spare of switch s for (g, mask): one already holding it this round, or
 * a free one filled now; TARGET_OPEN when none is left. */
static uint32_t spare_for(struct loom_faults *F, uint16_t s, uint32_t g, uint64_t mask)
{
	struct ri_spare *sp = F->ri->spare[s];
	uint32_t base = F->f->switches[s].spare_groups_first;
	uint32_t n = F->f->switches[s].n_groups - base;

	for (uint32_t k = 0; k < n; k++)
		if (sp[k].used_now && sp[k].cfg_group == g && sp[k].mask == mask)
			return base + k;
	for (uint32_t k = 0; k < n; k++) {
		if (!sp[k].used_now) {
			spare_fill(F, s, k, g, mask);
			return base + k;
		}
	}
	return TARGET_OPEN;
}

void fault_repair_global(struct loom_faults *F)
{
	struct loom_fabric *f = F->f;
	struct repair_index *ri;

	if (!F->ri && !(F->ri = index_build(F))) {
		fprintf(stderr, "loomd: faults: out of memory: routes not repaired\n");
		return;
	}
	ri = F->ri;
	F->c.global_repairs++;
	/* what reaches, prefix by prefix */
	for (uint32_t lo = 0, hi; lo < ri->n; lo = hi) {
		for (hi = lo; hi < ri->n && memcmp(ri->r[hi].key, ri->r[lo].key, 18) == 0; hi++)
			ri->memo[ri->r[hi].sw] = MEMO_UNKNOWN;
		for (uint32_t i = lo; i < hi; i++)
			reach(F, lo, hi, ri->r[i].sw);
	}
	/* each route's group: the configured one, none, or a spare; a spare
	 * that already holds the same members stays */
	for (uint16_t s = 0; s < f->n_switches; s++)
		for (uint32_t k = 0; k < LOOM_REPAIR_SPARE_GROUPS; k++)
			ri->spare[s][k].used_now = false;
	for (uint32_t i = 0; i < ri->n; i++) {
		struct ri_route *r = &ri->r[i];
		uint32_t base = f->switches[r->sw].spare_groups_first;

		r->target = TARGET_OPEN;
		if (r->want == 0) {
			r->target = LOOM_GROUP_NONE;
		} else if (r->wide || r->want == live_mask(F, r)) {
			r->target = r->cfg_group;
		} else if (r->cur_group != LOOM_GROUP_NONE && r->cur_group >= base) {
			struct ri_spare *sp = &ri->spare[r->sw][r->cur_group - base];
			if (sp->cfg_group == r->cfg_group && sp->mask == r->want) {
				sp->used_now = true;
				r->target = r->cur_group;
			}
		}
	}
	for (uint32_t i = 0; i < ri->n; i++) {
		struct ri_route *r = &ri->r[i];

		if (r->target != TARGET_OPEN)
			continue;
		r->target = spare_for(F, r->sw, r->cfg_group, r->want);
		if (r->target == TARGET_OPEN) {
			r->target = r->cfg_group;
			F->c.spares_exhausted++;
		}
	}
	for (uint16_t s = 0; s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];

		for (uint32_t k = 0; k < sw->n_groups - sw->spare_groups_first; k++) {
			struct ri_spare *sp = &ri->spare[s][k];
			if (sp->in_use && !sp->used_now) {
				loom_lb_group_fill(sw, sw->spare_groups_first + k, NULL, 0, sw->groups[sp->cfg_group].policy);
				F->cap[s][sw->spare_groups_first + k] = 0;
				sp->in_use = false;
			}
		}
	}
	for (uint32_t i = 0; i < ri->n; i++) {
		struct ri_route *r = &ri->r[i];
		char msg[128];
		int rc;

		if (r->target == r->cur_group)
			continue;
		rc = loom_switch_route_set(&f->switches[r->sw], r->key[0], r->key + 2, r->key[1], r->target, msg,
					   sizeof(msg));
		if (rc < 0) {
			fprintf(stderr, "loomd: faults: %s: a route could not change (%s)\n", f->switches[r->sw].name,
				msg);
			continue;
		}
		if (r->target == r->cfg_group)
			F->c.routes_restored++;
		else if (r->target == LOOM_GROUP_NONE)
			F->c.routes_withdrawn++;
		else
			F->c.routes_to_spare++;
		r->cur_group = r->target;
	}
}
