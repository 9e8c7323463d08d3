/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CONGA (Alizadeh et al., SIGCOMM 2014): leaf-to-leaf congestion feedback.
 * The pure parts, no DPDK, time passed in; the switch's glue (the overlay
 * that carries the metrics between leaves) is dataplane/conga/.
 *
 *   DRE        per egress link: X += bytes sent; every T_dre X *= 1 - alpha.
 *              X ~ rate * tau (tau = T_dre / alpha), so X over what the
 *              link carries in tau is its utilisation, quantised to Q bits.
 *   to-leaf    at a source leaf, per (destination leaf, LBTag = uplink):
 *              the path metric that leaf fed back (aged: a metric not
 *              refreshed for `age_ns` counts as 0, as the paper decays
 *              stale entries).
 *   from-leaf  at a destination leaf, per (source leaf, LBTag): the CE the
 *              packets brought (max of every hop's DRE on the path), fed
 *              back one entry per packet going the other way, entries that
 *              changed since they were last sent first, else round robin.
 *   choice     the uplink minimising max(local DRE, remote metric), the
 *              first such from a given start (the flow's round robin), so
 *              ties spread the flow as spray_flow does instead of herding.
 */
#ifndef LOOM_LB_CONGA_H
#define LOOM_LB_CONGA_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

#define LB_CONGA_TAGS 64       /* LBTags: members of a group below this are tagged */
#define LB_CONGA_NO_TAG 0xff   /* FB_LBTag when nothing is fed back */
#define LB_CONGA_ALPHA_SHIFT 3 /* alpha = 1/8 */
#define LB_CONGA_METRIC_BITS 3 /* Q, as the paper */
#define LB_CONGA_METRIC_MAX ((1u << LB_CONGA_METRIC_BITS) - 1)
#define LB_CONGA_AGE_PERIODS 64 /* a remote metric not refreshed for 64 T_dre counts as 0 */

/* One link's discounting rate estimator. */
struct lb_conga_dre {
	double x;          /* bytes, discounted */
	loom_time_ns last; /* the last decay step's time */
};

/* `bytes` sent on the link at `now` (decays first). */
void lb_conga_dre_add(struct lb_conga_dre *d, loom_time_ns period_ns, uint32_t bytes, loom_time_ns now);
/* The link's utilisation at `now`, 0 .. LB_CONGA_METRIC_MAX (saturated). */
uint8_t lb_conga_dre_metric(struct lb_conga_dre *d, loom_time_ns period_ns, uint64_t rate_bps, loom_time_ns now);

struct lb_conga_entry {
	loom_time_ns at; /* when set; 0: never */
	uint8_t metric;
	bool changed;    /* from-leaf: not fed back since it changed */
};

/* A table per (leaf, LBTag): to-leaf and from-leaf are the same shape. */
struct lb_conga_table {
	uint16_t n_leaves;
	struct lb_conga_entry *e; /* [n_leaves * LB_CONGA_TAGS] */
	uint8_t *cursor;          /* [n_leaves]: from-leaf's round robin */
	uint8_t *n_tags;          /* [n_leaves]: highest tag seen + 1 */
};

int lb_conga_table_init(struct lb_conga_table *t, uint16_t n_leaves);
void lb_conga_table_free(struct lb_conga_table *t);

/* to-leaf: leaf fed back `metric` for `tag`. */
void lb_conga_to_leaf_set(struct lb_conga_table *t, uint16_t leaf, uint8_t tag, uint8_t metric, loom_time_ns now);
/* to-leaf: the metrics toward `leaf` of tags [0, n) into out[] (stale: 0). */
void lb_conga_to_leaf_row(const struct lb_conga_table *t, uint16_t leaf, uint16_t n, loom_time_ns now,
			  loom_time_ns age_ns, uint8_t *out);

/* from-leaf: a packet from `leaf` tagged `tag` arrived with `ce`. */
void lb_conga_from_leaf_record(struct lb_conga_table *t, uint16_t leaf, uint8_t tag, uint8_t ce, loom_time_ns now);
/* from-leaf: what to feed back to `leaf` on the next packet toward it.
 * False when nothing was recorded from it. */
bool lb_conga_from_leaf_next(struct lb_conga_table *t, uint16_t leaf, uint8_t *tag, uint8_t *metric);

/* The member of [0, n) minimising max(local[i], remote[i]) (remote NULL:
 * local only): the first from `start` on whose cost is within `slack`
 * levels of the least (0: the least, as the paper). *by_remote (if not
 * NULL): the remote metrics made the choice differ from the local-only one
 * (with the same slack). */
uint16_t lb_conga_pick(uint16_t n, const uint8_t *local, const uint8_t *remote, uint16_t start, uint8_t slack,
		       bool *by_remote);

/* What a switch running the overlay lets its groups' conga policies see
 * (struct lb_env.conga; NULL elsewhere), and their counters. */
struct lb_conga_counters {
	uint64_t decisions;      /* new flowlets (conga) / packets (conga_packet) placed */
	uint64_t by_remote;      /* of them, placed elsewhere than local DREs alone would have */
	uint64_t remote_unknown; /* placed with no destination leaf known (no remote row given) */
};

struct lb_conga_view {
	struct lb_conga_dre *dre;   /* [n_ports] */
	loom_time_ns dre_period_ns;
	/* metric per member toward the current packet's destination leaf
	 * (set by the switch before it asks the group), NULL: unknown */
	const uint8_t *remote;
	struct lb_conga_counters c;
};

#endif
