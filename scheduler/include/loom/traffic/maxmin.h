/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ideal throughput of a set of flows: max-min fair rates (no flow can
 * get more without taking from one that has no more), computed by
 * progressive filling (Bertsekas & Gallager, "Data Networks", 6.5.2):
 * raise every unfrozen flow's rate together until a resource saturates
 * or a flow reaches its demand, freeze those flows, repeat.
 *
 * loom_maxmin_solve works on any capacity model. loom_maxmin_clos builds
 * the one that judges load balancing in a two-tier Clos: each host's link
 * (transmit and receive), and per leaf the sum of its uplinks (up and
 * down). Why that model: when every leaf has equal capacity to every spine,
 * any traffic that fits the leaves' aggregate uplink capacity can be
 * carried by sending an equal share through each spine (each leaf-spine
 * link then carries 1/S of the leaf's traffic), so the only limits left
 * are host links and leaf aggregates. That is what perfect (fluid,
 * per-packet) load balancing achieves; ECMP hash collisions, or any
 * imbalance, show as throughput below it. It is an upper bound, not a
 * prediction: queues, headers and congestion control come on top. Flows
 * under one leaf use only their two host links.
 */
#ifndef LOOM_MAXMIN_H
#define LOOM_MAXMIN_H

#include <stddef.h>
#include <stdint.h>

#include "loom/traffic/flow_spec.h"

#define LOOM_MAXMIN_MAX_HOPS 4

struct loom_maxmin_flow {
	uint32_t n_res;
	uint32_t res[LOOM_MAXMIN_MAX_HOPS]; /* resources the flow crosses */
	double demand_bps;                  /* its own limit; 0 = none */
};

/* rate[i] for flow i; every flow must cross at least one resource or have
 * a demand. Returns 0, -EINVAL (bad resource index, unbounded flow) or
 * -ENOMEM. */
int loom_maxmin_solve(const double *cap_bps, uint32_t n_res, const struct loom_maxmin_flow *flows,
		      size_t n_flows, double *rate_bps);

/* The two-tier Clos capacity model (see above). Leaves are numbered
 * 0 .. n_leaves-1 here (the caller maps switch indices). */
struct loom_clos_capacity {
	uint32_t n_hosts;
	const uint32_t *leaf_of;     /* n_hosts */
	const double *host_tx_bps;   /* n_hosts: host -> leaf */
	const double *host_rx_bps;   /* n_hosts: leaf -> host */
	uint32_t n_leaves;
	const double *leaf_up_bps;   /* n_leaves: sum of the leaf's uplinks */
	const double *leaf_down_bps; /* n_leaves: sum of its downlinks from the spines */
};

/* Max-min rates of the flows (src_host, dst_host; rate_bps as a demand
 * when nonzero). Flows with bytes = 0 count too: the rates are those of
 * all of them running at once. */
int loom_maxmin_clos(const struct loom_clos_capacity *m, const struct loom_flow_spec *flows, size_t n,
		     double *rate_bps);

#endif
