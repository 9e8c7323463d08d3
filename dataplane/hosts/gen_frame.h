/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's frames: a new one from the host's pool (growing it
 * when the runner lets it) with its Ethernet header written. Data packets
 * (gen_host.c) and feedback (gen_feedback.c) both start here.
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

#endif
