/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's frames: a new one from the host's pool (growing it
 * when the runner lets it) with its Ethernet header written. Data packets
 * (gen_host.c) and feedback (gen_feedback.c) both start here. And the
 * sizes a flow's frames may take (gen_config.c checks flows against them).
 */
#ifndef LOOM_GEN_FRAME_H
#define LOOM_GEN_FRAME_H

#include <stdint.h>

struct rte_ipv4_hdr;
struct rte_mbuf;
struct loom_gen_host;

/* A new frame of `frame` bytes from the host's pool with its Ethernet
 * header written (host -> gateway, IPv4); returns the IPv4 header to fill,
 * or NULL (and no mbuf) when the pool or the buffer is short. */
struct rte_ipv4_hdr *loom_gen_frame_alloc(struct loom_gen_host *h, uint32_t frame, struct rte_mbuf **m);

/* Smallest frame a flow of this transport (loom_flow_spec.transport) may
 * use: headers + the generator's payload header. */
uint32_t loom_gen_min_frame(uint8_t transport);
/* How many packets of `frame` bytes carry `burst_bytes` of payload (at least 1). */
uint64_t loom_gen_burst_packets(uint64_t burst_bytes, uint32_t frame, uint8_t transport);

#endif
