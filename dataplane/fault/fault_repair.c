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
 * a table shared by switches with the same routes is copied first). The
 * index of routes the global repair works on is read from the switches'
 * route tables (loom_route_table_walk), not from the configuration: when
 * a switch's routes changed since the repair last saw them (its
 * routes_changed moved, and not by the repair), the index is read again
 * before the repair, so a route set at run time is the one it keeps or
 * thins (its group becomes that route's configured one). What the repair
 * did itself carries over: a route it moved to a spare keeps its
 * configured group, and one it withdrew (gone from the table) stays in
 * the index to be restored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_internal.h"
#include "lb_switch.h"
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
	uint32_t n, cap;
	struct ri_route *r; /* by (key, switch) */
	uint8_t *memo;      /* [switch] while one prefix is computed */
	struct ri_spare (*spare)[LOOM_REPAIR_SPARE_GROUPS]; /* [switch] */
	uint32_t *seen;     /* [switch]: its routes_changed when the index last agreed with its table */
};

enum { MEMO_UNKNOWN, MEMO_VISITING, MEMO_YES, MEMO_NO };

static struct repair_index *index_build(struct loom_faults *F, const struct repair_index *old);
static void index_free(struct repair_index *ri);

int fault_repair_init(struct loom_faults *F, char *err, size_t errlen)
{
	struct loom_fabric *f = F->f;

	F->cap = calloc(f->n_switches, sizeof(*F->cap));
	F->configured = calloc(f->n_switches, sizeof(*F->configured));
	if (!F->cap || !F->configured)
		goto oom;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		F->cap[s] = calloc(sw->n_groups + 1, sizeof(**F->cap));
		if (!F->cap[s])
			goto oom;
		for (uint32_t g = 0; g < sw->spare_groups_first; g++)
			F->cap[s][g] = sw->groups[g].n_members;
		/* the slots' order as configured: a group the local repair
		 * reordered goes back to it when its links are all live again */
		F->configured[s] = malloc((sw->n_members + 1) * sizeof(**F->configured));
		if (!F->configured[s])
			goto oom;
		memcpy(F->configured[s], sw->members, sw->n_members * sizeof(**F->configured));
	}
	/* The routes' index, from the switches' route tables: in real time
	 * built now, not at the first repair on the worker (where building
	 * it, with a shared table's copy, stalled forwarding 37 ms for 2
	 * planes of 2 x 2 switches, loomd's fidelity record); in a virtual
	 * run at the first repair, so that a large fabric without faults
	 * builds none. */
	if (f->clock_mode != LOOM_CLOCK_VIRTUAL && !(F->ri = index_build(F, NULL)))
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
	for (uint16_t s = 0; F->configured && s < F->f->n_switches; s++)
		free(F->configured[s]);
	free(F->cap);
	free(F->configured);
	index_free(F->ri);
}

static bool slot_live(const struct loom_faults *F, uint16_t s, uint32_t slot)
{
	const struct loom_switch *sw = &F->f->switches[s];

	return !F->port[s][sw->nexthops[sw->members[slot]].port].detected_down;
}

/* The group's current slots in their configured order (each configured
 * next hop matched to an unused slot holding it: equal next hops are
 * interchangeable). False when a slot holds a next hop the configuration
 * did not put there (a group changed at run time): then its current
 * order is the one to keep. */
static bool configured_order(const struct loom_faults *F, uint16_t s, uint32_t first, uint16_t cap, uint32_t *slots)
{
	const struct loom_switch *sw = &F->f->switches[s];
	bool used[cap];

	memset(used, 0, sizeof(used));
	for (uint16_t j = 0; j < cap; j++) {
		uint16_t i = 0;

		while (i < cap && (used[i] || sw->members[first + i] != F->configured[s][first + j]))
			i++;
		if (i == cap)
			return false;
		used[i] = true;
		slots[j] = i;
	}
	return true;
}

void fault_repair_local(struct loom_faults *F, uint16_t s)
{
	struct loom_switch *sw = &F->f->switches[s];

	if (sw->lb == NULL)
		return;
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		uint16_t cap = F->cap[s][g], n = 0, live;
		uint32_t first = sw->groups[g].first, order[cap ? cap : 1], slots[cap ? cap : 1];
		bool same = true;

		if (cap == 0)
			continue;
		/* live slots first, dead ones after, each in the configured order:
		 * when every link is back the group is as configured again (it
		 * kept the repair's order, and ECMP moved flows, before) */
		if (!configured_order(F, s, first, cap, slots))
			for (uint16_t i = 0; i < cap; i++)
				slots[i] = i;
		for (uint16_t j = 0; j < cap; j++)
			if (slot_live(F, s, first + slots[j]))
				order[n++] = slots[j];
		live = n;
		for (uint16_t j = 0; j < cap; j++)
			if (!slot_live(F, s, first + slots[j]))
				order[n++] = slots[j];
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

/* --- the route index, from the route tables ------------------------------ */

static int route_cmp(const void *a, const void *b)
{
	const struct ri_route *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c ? c : (int)x->sw - (int)y->sw;
}

static struct ri_route *index_append(struct repair_index *ri)
{
	if (ri->n == ri->cap) {
		uint32_t cap = ri->cap ? 2 * ri->cap : 64;
		struct ri_route *r = realloc(ri->r, cap * sizeof(*r));

		if (!r)
			return NULL;
		ri->r = r;
		ri->cap = cap;
	}
	memset(&ri->r[ri->n], 0, sizeof(ri->r[0]));
	return &ri->r[ri->n++];
}

struct index_walk {
	struct repair_index *ri;
	const struct loom_faults *F;
	const struct repair_index *old;
	uint16_t sw;
};

/* One route of switch w->sw's table into the index. Its configured group
 * is the table's, unless the repair put it in a spare: then the one the
 * spare was filled from. */
static int index_add(void *arg, int family, const uint8_t addr[16], uint8_t len, uint32_t group)
{
	struct index_walk *w = arg;
	const struct loom_switch *sw = &w->F->f->switches[w->sw];
	struct ri_route *r;
	uint32_t cfg = group;

	if (group >= sw->n_groups)
		return 0; /* not a group of this switch: loom_switch_route_set was given no such route */
	if (group >= sw->spare_groups_first) {
		const struct ri_spare *sp = w->old ? &w->old->spare[w->sw][group - sw->spare_groups_first] : NULL;

		if (!sp || !sp->in_use)
			return 0; /* a spare the repair did not fill: not a route it can follow */
		cfg = sp->cfg_group;
	}
	if (!(r = index_append(w->ri)))
		return -1;
	r->key[0] = (uint8_t)family;
	r->key[1] = len;
	memcpy(r->key + 2, addr, family == 4 ? 4 : 16);
	r->sw = w->sw;
	r->cfg_group = cfg;
	r->cur_group = group;
	return 0;
}

static void index_free(struct repair_index *ri)
{
	if (!ri)
		return;
	free(ri->r);
	free(ri->memo);
	free(ri->spare);
	free(ri->seen);
	free(ri);
}

/* The index as the route tables say now; `old` (or NULL), the one it
 * replaces: its spares and the routes it withdrew carry over. */
static struct repair_index *index_build(struct loom_faults *F, const struct repair_index *old)
{
	struct loom_fabric *f = F->f;
	struct repair_index *ri = calloc(1, sizeof(*ri));
	struct index_walk w = {.ri = ri, .F = F, .old = old};
	uint32_t n_read;

	if (!ri)
		return NULL;
	ri->memo = calloc(f->n_switches, 1);
	ri->spare = calloc(f->n_switches, sizeof(*ri->spare));
	ri->seen = calloc(f->n_switches, sizeof(*ri->seen));
	if (!ri->memo || !ri->spare || !ri->seen)
		goto fail;
	if (old)
		memcpy(ri->spare, old->spare, f->n_switches * sizeof(*ri->spare));
	for (w.sw = 0; w.sw < f->n_switches; w.sw++) {
		if (loom_route_table_walk(f->switches[w.sw].routes, index_add, &w) != 0)
			goto fail;
		ri->seen[w.sw] = f->switches[w.sw].routes_changed;
	}
	qsort(ri->r, ri->n, sizeof(*ri->r), route_cmp);
	/* withdrawn by the repair (no longer in a table): still its to restore,
	 * unless the switch has a route for that prefix again */
	n_read = ri->n;
	for (uint32_t i = 0; old && i < old->n; i++) {
		struct ri_route *r;

		if (old->r[i].cur_group != LOOM_GROUP_NONE ||
		    bsearch(&old->r[i], ri->r, n_read, sizeof(*ri->r), route_cmp) != NULL)
			continue;
		if (!(r = index_append(ri)))
			goto fail;
		*r = old->r[i];
	}
	if (ri->n != n_read)
		qsort(ri->r, ri->n, sizeof(*ri->r), route_cmp);
	for (uint32_t i = 0; i < ri->n; i++)
		ri->r[i].wide = F->cap[ri->r[i].sw][ri->r[i].cfg_group] > REPAIR_MAX_WIDTH;
	return ri;
fail:
	index_free(ri);
	return NULL;
}

/* Has some switch's routes changed since the index agreed with them? */
static bool index_stale(const struct loom_faults *F)
{
	for (uint16_t s = 0; s < F->f->n_switches; s++)
		if (F->f->switches[s].routes_changed != F->ri->seen[s])
			return true;
	return false;
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

	if (!F->ri || index_stale(F)) {
		if (!(ri = index_build(F, F->ri))) {
			fprintf(stderr, "loomd: faults: out of memory: routes not repaired\n");
			return;
		}
		index_free(F->ri);
		F->ri = ri;
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
		ri->seen[r->sw] = f->switches[r->sw].routes_changed; /* the repair's own change */
	}
}
