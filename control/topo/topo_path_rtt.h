/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow's unloaded round trip over the topology (`cc: {type: nscc,
 * base_rtt: path}`, docs/WORKLOADS.md): the data frame out and the ACK
 * frame back over the path with the fewest hops between the two hosts
 * (what the generated routes take), each link costing its delay and the
 * frame's serialization at its rate, both ways; no queueing.
 *
 * Why per flow: NSCC measures queueing delay as RTT minus the base RTT. A
 * fabric-wide base (the longest path's) understates the queue of a
 * shorter path, and the smallest sample is no floor in an incast, whose
 * bottleneck queue never empties: flows that met the queue with their
 * first packet took it for the path and never cut (32:1 incast: same-pod
 * senders finished at 0.35 x the last). htsim's UEC sources get the same
 * per-pair figure from its topology.
 */
#ifndef LOOM_TOPO_PATH_RTT_H
#define LOOM_TOPO_PATH_RTT_H

#include <stdint.h>

#include "topology.h"

struct topo_path_rtt;

/* The hosts' and switches' adjacency, built once (NULL: out of memory). */
struct topo_path_rtt *topo_path_rtt_new(const struct topology *t);
void topo_path_rtt_free(struct topo_path_rtt *p);
/* ns from src_host to dst_host and back, data frames of data_frame bytes
 * out and ACK frames of ack_frame back; 0 when no path joins them. */
uint64_t topo_path_rtt_ns(struct topo_path_rtt *p, int src_host, int dst_host, uint32_t data_frame,
			  uint32_t ack_frame);

#endif
