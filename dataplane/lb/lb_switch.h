/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's load-balancing state: the policy of each ECMP group and its
 * per-group state, per-member packet/byte counters and the imbalance
 * window, the port load samples the flowlet policy reads, and the reorder
 * measurement at leaf host ports. The decisions themselves are scheduler/
 * code (loom/lb/lb_policy.h); this is the glue that gives them the switch's
 * view and runs their timers.
 *
 * Who touches what: the worker runs select/tick and the counters; the
 * control thread builds and frees policy states, and swaps them in through
 * the mailbox (between two bursts), so a mode change loses no packet.
 */
#ifndef LOOM_LB_SWITCH_H
#define LOOM_LB_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/lb/lb_imbalance.h"
#include "loom/lb/lb_policy.h"
#include "loom/lb/lb_reorder.h"
#include "switch.h"

struct loom_lb_member_counters {
	uint64_t packets;
	uint64_t bytes;
};

struct loom_lb_group {
	void *state;               /* the policy's (NULL for stateless ones) */
	struct lb_group_view view; /* members, env */
};

/* Flows tracked per leaf host port for the reorder measurement. */
#define LOOM_LB_REORDER_FLOWS 1024
/* Imbalance window when the configuration gives none. */
#define LOOM_LB_WINDOW_NS (100 * LOOM_NS_PER_MS)

struct loom_lb {
	struct lb_params params;
	uint16_t default_policy;   /* the switch's mode: new groups, `lb set` without a group */
	struct lb_rng rng;
	struct lb_env env;
	struct lb_port_load *port_load;     /* [n_ports] */
	struct lb_member *members;          /* [sw->n_members]: port and rate of each group member */
	struct loom_lb_group *groups;       /* [sw->n_groups] */
	struct loom_lb_member_counters *c;  /* [sw->n_members]: since start */
	uint64_t *window_start;             /* [sw->n_members]: bytes at the start of the window */
	uint64_t *window_bytes;             /* [sw->n_members]: bytes in the last complete window */
	loom_time_ns window_ns, window_next, window_end; /* window_end: end of the last complete one */
	loom_time_ns sample_next;
	uint32_t n_sampling;                /* groups whose policy reads port loads */
	struct lb_reorder *reorder;         /* [n_ports]: leaf host ports only (flows != NULL) */
};

/* Build sw->lb after the ports, next hops and groups are loaded: every
 * group gets `default_policy`. Returns 0, or -1 with a message. */
int loom_lb_create(struct loom_switch *sw, const struct lb_params *p, uint16_t default_policy, loom_time_ns window_ns,
		   char *err, size_t errlen);
void loom_lb_free(struct loom_switch *sw);

/* Group g's policy id into `policy` at load time (before forwarding). */
int loom_lb_set_group_policy_now(struct loom_switch *sw, uint32_t g, uint16_t policy, char *err, size_t errlen);

/* A runtime change, in three steps (ctl_lb.c): prepare on the control
 * thread (builds the new states), commit on the worker (swaps pointers),
 * finish on the control thread (frees the old states). */
struct loom_lb_change {
	struct loom_switch *sw;
	uint16_t policy;
	bool set_default;  /* the switch's mode too */
	uint32_t n;        /* groups changed */
	uint32_t *group;   /* [n] */
	void **state;      /* [n]: new, then (after commit) the old ones */
	uint16_t *old_policy; /* [n] */
	uint16_t *n_members;  /* [n]: the group's size the new state was built for */
	bool committed;
	bool set_params;      /* the switch's tunables become `params` at commit */
	struct lb_params params;
};
/* group == UINT32_MAX: every group of more than one member. params: the
 * switch's new tunables (the new states are built with them; only with
 * every group), or NULL to keep them. */
int loom_lb_change_prepare(struct loom_lb_change *ch, struct loom_switch *sw, uint32_t group, uint16_t policy,
			   const struct lb_params *params, char *err, size_t errlen);
void loom_lb_change_commit(struct loom_lb_change *ch);
void loom_lb_change_finish(struct loom_lb_change *ch);

/* The repair after a fault (dataplane/fault/fault_repair.c), on the
 * worker between two bursts. Group g's slots [first, first + cap) are
 * reordered so that slot i takes the one that was at order[i] (its next
 * hop, its counters), the group keeps the first n (1 <= n <= cap), and its
 * policy's state is built anew for them (a flowlet table forgets its
 * flows, as a switch's does when a group changes). */
void loom_lb_group_reorder(struct loom_switch *sw, uint32_t g, const uint32_t *order, uint16_t cap, uint16_t n);
/* Spare group g takes next hops nh[0..n) (counters from zero) under
 * `policy`; n == 0 empties it. */
void loom_lb_group_fill(struct loom_switch *sw, uint32_t g, const uint32_t *nh, uint16_t n, uint16_t policy);

/* Timers: port load sampling while a group needs it, the imbalance window.
 * Returns the next time one is due. */
loom_time_ns loom_lb_run_timers(struct loom_switch *sw, loom_time_ns now);

/* Policies other than ecmp (member_select.c, the IPv4 fast path): the
 * members of a run of `n` packets of group g, in order, in one call
 * (lb_policy.h: select_burst, or select + feedback per packet). */
static inline void loom_lb_select_burst(struct loom_switch *sw, uint32_t g, const uint32_t *hash, const uint32_t *len,
					uint16_t n, loom_time_ns now, uint16_t *members)
{
	struct loom_lb_group *lg = &sw->lb->groups[g];

	lb_policy_select_burst(lb_policy_at(sw->groups[g].policy), lg->state, &lg->view, hash, len, n, now, members);
}

/* One packet's member. */
static inline uint16_t loom_lb_select(struct loom_switch *sw, uint32_t g, uint32_t hash, uint32_t len,
				      loom_time_ns now)
{
	uint16_t m;

	loom_lb_select_burst(sw, g, &hash, &len, 1, now, &m);
	return m;
}

/* A copy of the counters for `stats` / `lb show`, taken on the worker. */
struct loom_lb_snapshot {
	uint16_t default_policy;
	uint16_t *policy;                    /* [n_groups] */
	struct loom_lb_member_counters *c;   /* [n_members] */
	uint64_t *window_bytes;              /* [n_members] */
	loom_time_ns window_ns, window_end;
	struct lb_reorder_counters *reorder; /* [n_ports] */
	struct loom_group *groups;           /* [n_groups]: their members change with faults (fault_repair.c) */
	uint32_t *members;                   /* [n_members] */
	struct lb_params params;             /* the switch's tunables (lb set changes them) */
};
int loom_lb_snapshot_alloc(const struct loom_switch *sw, struct loom_lb_snapshot *s);
void loom_lb_snapshot_take(const struct loom_switch *sw, struct loom_lb_snapshot *s);
void loom_lb_snapshot_free(struct loom_lb_snapshot *s);

#endif
