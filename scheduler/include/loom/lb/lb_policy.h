/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load-balancing policies: how a switch picks the member of an ECMP group
 * (the next hop) for each packet. A policy is one C file that fills a
 * `struct lb_policy` and one line in lb_policies.def that registers it;
 * it is then selectable by name from the topology file and `loomctl lb set`.
 * docs/POLICIES.md walks through writing one (lb_example_least_bytes.c).
 *
 * Plain C, no DPDK: the time and the switch's view of its ports are passed
 * in, so that unit tests drive a policy with a fake clock and fake queue
 * depths, and both runners (real and virtual time) run the same code.
 *
 * Threading: one worker calls select/tick/feedback of a group; init and
 * fini run on the control thread while the group is not in use (a runtime
 * change builds the new state, swaps it in between two bursts, then frees
 * the old one), so a policy needs no locks.
 */
#ifndef LOOM_LB_POLICY_H
#define LOOM_LB_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loom/clock.h"
#include "loom/lb/lb_port_load.h"
#include "loom/lb/lb_rng.h"

/* One member of a group: the egress port of its next hop. */
struct lb_member {
	uint16_t port;
	uint64_t rate_bps; /* that port's link rate (0 when the topology gave none) */
};

struct lb_conga_view;

/* What the switch lets policies see besides their own state. */
struct lb_env {
	/* Bytes waiting in `port`'s output queues now. */
	uint64_t (*queued_bytes)(const void *ctx, uint16_t port);
	const void *ctx;
	/* Sampled loads indexed by port (lb_port_load.h); kept up to date
	 * only when a group's policy sets uses_port_load. */
	const struct lb_port_load *port_load;
	const struct lb_load_params *load_params;
	struct lb_rng *rng; /* seeded per switch: runs are repeatable */
	/* A switch running CONGA's overlay (dataplane/conga/): its DREs and
	 * the current packet's remote metrics (loom/lb/conga.h); else NULL. */
	struct lb_conga_view *conga;
};

/* A group as its policy sees it. */
struct lb_group_view {
	uint16_t n_members; /* >= 2: groups of one never reach a policy */
	const struct lb_member *members;
	const struct lb_env *env;
};

/* The packet being placed. */
struct lb_pkt {
	uint32_t flow_hash; /* seeded 5-tuple (+ RoCEv2 QP) hash, as ECMP uses */
	uint32_t len;       /* frame bytes */
	loom_time_ns now;
};

/* What a policy's decision for a packet reads in its own state, for a
 * packet trace (docs/TRACE.md): up to LB_EXPLAIN_MAX named values. */
#define LB_EXPLAIN_MAX 4
struct lb_explain {
	unsigned int n;
	const char *name[LB_EXPLAIN_MAX]; /* static strings */
	int64_t value[LB_EXPLAIN_MAX];
};

/* Where the flowlet policy puts a new flowlet (docs/POLICIES.md). */
enum lb_flowlet_placement {
	/* the member with the least to send now (its queue, or this group's
	 * frame still on its wire), then the lowest load band, then random */
	LB_FLOWLET_PLACE_QUEUE = 0,
	/* the lowest sampled load band, ties random: SAI ARS quality bands */
	LB_FLOWLET_PLACE_BAND,
	LB_FLOWLET_PLACE_N
};

/* Tunables; lb_params_default() gives SAI's defaults (placement: queue). */
struct lb_params {
	uint32_t flowlet_table_size; /* flowlet entries per group, power of two (SAI max_flows: 512) */
	loom_time_ns idle_time_ns;   /* flowlet inactivity gap (SAI idle_time: 256 us) */
	struct lb_load_params load;  /* port load sampling and quality bands (16 us, ...) */
	uint8_t drill_d;             /* DRILL: random samples per packet (2) */
	uint8_t drill_m;             /* DRILL: remembered best members (1) */
	uint8_t flowlet_placement;   /* enum lb_flowlet_placement (queue) */
	loom_time_ns dre_period_ns;  /* CONGA: the DREs' decay period T_dre (8 us; alpha 1/8) */
	uint8_t conga_slack;         /* CONGA: metric levels a member may stand above the least (1) */
};

void lb_params_default(struct lb_params *p);
/* NULL when valid, else what is wrong. */
const char *lb_params_check(const struct lb_params *p);
/* "queue" / "band" for enum lb_flowlet_placement, and back (-1: unknown). */
const char *lb_flowlet_placement_name(unsigned int placement);
int lb_flowlet_placement_id(const char *name);

struct lb_policy {
	const char *name;    /* as the topology and loomctl spell it */
	const char *summary; /* one line for `loomctl lb show` and the docs */
	/* The switch samples port loads every load.interval_ns while a group
	 * uses a policy that reads env->port_load. */
	bool uses_port_load;
	/* Per-group state, or NULL on failure (errno set). Optional: a policy
	 * without state leaves it NULL and gets state == NULL. */
	void *(*init)(const struct lb_group_view *g, const struct lb_params *p);
	void (*fini)(void *state);
	/* The member index in [0, g->n_members) for this packet. Required. */
	uint16_t (*select)(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt);
	/* Optional: every sampling interval, after the port loads are sampled. */
	void (*tick)(void *state, const struct lb_group_view *g, loom_time_ns now);
	/* Optional: the packet `pkt` was handed to member `member` (called
	 * right after select, before the next packet of the burst). */
	void (*feedback)(void *state, const struct lb_group_view *g, uint16_t member, const struct lb_pkt *pkt);
	/* Optional: the members of `n` packets of the group, in order (packet
	 * i: flow_hash[i], len[i], all at `now`), into members[0..n): exactly
	 * what select and feedback would give one packet after another. The
	 * switch hands it a run of packets of one group from a burst; a policy
	 * whose choice is cheap (round robin) then costs no call per packet.
	 * Without it, lb_policy_select_burst calls select/feedback per packet. */
	void (*select_burst)(void *state, const struct lb_group_view *g, const uint32_t *flow_hash,
			     const uint32_t *len, uint16_t n, loom_time_ns now, uint16_t *members);
	/* Optional: the inputs of the decision select would make for `pkt`
	 * now, read from the state without changing it (a traced packet: the
	 * switch calls it just before select). */
	void (*explain)(const void *state, const struct lb_group_view *g, const struct lb_pkt *pkt,
			struct lb_explain *out);
};

/* --- registry (lb_registry.c, list in lb_policies.def) ------------------ */

/* Policy 0 is always ecmp: the dataplane serves it without a call. */
#define LB_POLICY_ECMP 0

unsigned int lb_policy_count(void);
const struct lb_policy *lb_policy_at(unsigned int id);
/* Policy id by name, or -1. */
int lb_policy_id(const char *name);
/* NULL when `name` can be used, else a message: unknown (listing the
 * known ones) or reserved ("cell": the VOQ cell scheduler, not yet). */
const char *lb_policy_check_name(const char *name, char *buf, size_t len);

/* Members for a run of `n` packets of one group (see select_burst): the
 * policy's select_burst, or select (then feedback) per packet. */
void lb_policy_select_burst(const struct lb_policy *p, void *state, const struct lb_group_view *g,
			    const uint32_t *flow_hash, const uint32_t *len, uint16_t n, loom_time_ns now,
			    uint16_t *members);

/* --- helpers for policies ----------------------------------------------- */

/* Queued bytes of member i, relative to its link rate (drain time in
 * ps-ish units, comparable across members of different rates). */
static inline double lb_member_queue_cost(const struct lb_group_view *g, uint16_t i)
{
	uint64_t rate = g->members[i].rate_bps ? g->members[i].rate_bps : 10000000000ull;

	return (double)g->env->queued_bytes(g->env->ctx, g->members[i].port) * 8e9 / (double)rate;
}

#endif
