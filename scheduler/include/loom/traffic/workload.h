/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workload generators: traffic patterns as lists of flows
 * (struct loom_flow_spec) for generator hosts, the experiment runner or
 * iperf3 pairs to carry out.
 *
 * Every generator appends to a growing flow list and copies the fields it
 * does not decide (rate, packet size, DSCP, ECN, transport, per-packet
 * entropy, start) from a template flow. Each flow gets the next id
 * (its index in the list) and a UDP source port drawn from the PRNG
 * (49152..65535: flow entropy for ECMP). Randomness comes only from the
 * loom_rng passed in: the same inputs and seed give the same list.
 *
 * Hosts are numbered as the topology lists them; `leaf_of[h]` is the leaf
 * ("rack") host h hangs off (on multi-plane fabrics: its plane-0 leaf).
 *
 * Collectives and start times. A collective's flows carry
 * group = LOOM_WL_GROUP(collective, phase), collective >= 1, phase 0..
 * Phase-0 flows start at the template's start. Later phases are CHAINED:
 * their start is LOOM_WL_START_CHAINED, and whoever runs them (generator
 * hosts, the experiment runner) starts a chained flow from host h in phase
 * p when h has received every flow of the same collective in phase p-1
 * addressed to it (in a ring: the one from its predecessor). Start times
 * are not precomputed because the point of a run is to see how long each
 * phase takes on the fabric under test.
 */
#ifndef LOOM_WORKLOAD_H
#define LOOM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "loom/traffic/cdf.h"
#include "loom/traffic/flow_spec.h"
#include "loom/traffic/rng.h"

#define LOOM_WL_START_CHAINED LOOM_TIME_NEVER
#define LOOM_WL_PHASE_BITS 16
#define LOOM_WL_MAX_PHASES (1u << LOOM_WL_PHASE_BITS)
#define LOOM_WL_GROUP(coll, phase) (((uint32_t)(coll) << LOOM_WL_PHASE_BITS) | (uint32_t)(phase))
#define LOOM_WL_GROUP_COLLECTIVE(g) ((uint32_t)(g) >> LOOM_WL_PHASE_BITS)
#define LOOM_WL_GROUP_PHASE(g) ((uint32_t)(g) & (LOOM_WL_MAX_PHASES - 1))
#define LOOM_WL_MAX_COLLECTIVES ((1u << (32 - LOOM_WL_PHASE_BITS)) - 1)

struct loom_wl_hosts {
	uint32_t n_hosts;
	const uint32_t *leaf_of; /* n_hosts entries */
};

struct loom_flow_list {
	struct loom_flow_spec *v;
	size_t n, cap;
};

void loom_flow_list_init(struct loom_flow_list *l);
void loom_flow_list_free(struct loom_flow_list *l);

/* All generators return 0, -EINVAL (pattern impossible with these hosts,
 * e.g. a cross-leaf permutation when one leaf holds more than half the
 * hosts) or -ENOMEM. On error the list is left as it was. */

/* A permutation in which no host sends to a host on its own leaf: every
 * host sends `tmpl->bytes` to exactly one host and receives from exactly
 * one. Possible iff no leaf holds more than half of the hosts. Drawn by a
 * random relabelling of a fixed-point-free construction followed by
 * random constraint-preserving swaps. */
int loom_wl_permutation(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			const struct loom_flow_spec *tmpl, struct loom_rng *rng);

/* Every ordered pair (i, j), i != j, once. */
int loom_wl_all_to_all(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		       const struct loom_flow_spec *tmpl, struct loom_rng *rng);

/* N:1 incast: `n_senders` distinct hosts other than `dst`, drawn
 * uniformly, each send tmpl->bytes to dst at the template's start. */
int loom_wl_incast(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		   const struct loom_flow_spec *tmpl, uint32_t dst, uint32_t n_senders,
		   struct loom_rng *rng);

/* N:1 incast from the given distinct senders (none of them `dst`), in
 * that order. */
int loom_wl_incast_from(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			const struct loom_flow_spec *tmpl, uint32_t dst, const uint32_t *srcs, uint32_t n_senders,
			struct loom_rng *rng);

/* Ring collectives over `ring` (k >= 2 distinct hosts, in ring order), for
 * a buffer of `bytes` per rank, cut into k chunks of ceil(bytes / k).
 * In every phase rank i sends one chunk to rank (i + 1) mod k.
 *  - all-reduce: reduce-scatter then all-gather, 2(k-1) phases;
 *  - all-gather: k-1 phases (`bytes` is the gathered result per rank).
 * `collective` (1..LOOM_WL_MAX_COLLECTIVES) names the group. */
int loom_wl_ring_allreduce(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			   const struct loom_flow_spec *tmpl, const uint32_t *ring, uint32_t k,
			   uint64_t bytes, uint32_t collective, struct loom_rng *rng);
int loom_wl_ring_allgather(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
			   const struct loom_flow_spec *tmpl, const uint32_t *ring, uint32_t k,
			   uint64_t bytes, uint32_t collective, struct loom_rng *rng);

/* Broadcast: `root` sends tmpl->bytes directly to each of `dsts` (one
 * phase, group LOOM_WL_GROUP(collective, 0)). */
int loom_wl_broadcast(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		      const struct loom_flow_spec *tmpl, uint32_t root, const uint32_t *dsts,
		      uint32_t n_dsts, uint32_t collective, struct loom_rng *rng);

/*
 * Poisson arrivals at a target load. Each host is a source whose flows
 * arrive as a Poisson process of rate
 *	lambda = load * host_rate_bps / (8 * mean flow size)
 * (so that it offers `load` of its own link on average), with sizes drawn
 * from `cdf` and a destination uniform among the other hosts (only hosts
 * on other leaves when cross_leaf_only). Arrivals from tmpl->start to
 * tmpl->start + duration_ns; the list comes out sorted by start. The load
 * is of the host links; the fabric's share depends on its
 * oversubscription. `max_flows` bounds the output (-E2BIG beyond it).
 */
struct loom_wl_poisson_cfg {
	double load;            /* 0 < load <= 1 */
	uint64_t host_rate_bps; /* the hosts' link rate */
	loom_time_ns duration_ns;
	int cross_leaf_only;
	size_t max_flows;       /* 0: 10 000 000 */
};

int loom_wl_poisson(struct loom_flow_list *out, const struct loom_wl_hosts *hosts,
		    const struct loom_flow_spec *tmpl, const struct loom_cdf *cdf,
		    const struct loom_wl_poisson_cfg *cfg, struct loom_rng *rng);

#endif
