/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time run's mbufs: a pool that starts at a few packets per
 * link and host and grows by a sixteenth when a generator host finds it
 * empty, up to every output queue full (the most a run can hold). Memory
 * follows the packets the run actually has, not the fabric's maximum.
 * Each mbuf is as long as the run's largest frame, not DPDK's default 2 KB.
 *
 * And it stores only the first LOOM_VT_STORED_FRAME bytes of its frame,
 * when nothing in the run reads or writes further (short_buffers() in
 * vt_pool.c: no cell fabric, no P4 switch): its buffer is said to be the
 * largest frame long (buf_len) but runs on over the memory of the mbufs
 * after it, which nobody touches there. A packet costs 448 bytes instead
 * of ~1.9 KB (with LOOM_VT_NO_HEADROOM below), and what is resident follows: the payload bytes of a
 * simulated packet were never written nor read, only counted by length.
 *
 * Its memory is plain anonymous memory, not DPDK's: in virtual time no
 * device reads a packet, so the objects need no IO address
 * (RTE_MEMPOOL_F_NO_IOVA_CONTIG) and pack back to back; EAL's --no-huge
 * memory, which virtual time takes (its results must not depend on
 * whether hugepages were free), gave each mbuf a whole 4 KiB page.
 */
#ifndef LOOM_VT_POOL_H
#define LOOM_VT_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "fabric.h"

struct rte_mempool;

struct loom_vt_pool {
	struct rte_mempool *mp;
	uint32_t initial;   /* mbufs at start: the links' packets in flight, the hosts' */
	uint32_t populated; /* mbufs now */
	uint32_t cap;       /* most it grows to: every output queue full, and the links */
	uint32_t grows;     /* times it grew */
	uint32_t elt_bytes; /* one mbuf with its headers */
	uint16_t buf_len;   /* what each mbuf's buffer is said to hold: headroom + largest frame */
	uint16_t stored;    /* what it holds: headroom + LOOM_VT_STORED_FRAME (short) or buf_len */
	bool on_stack;      /* free mbufs on DPDK's stack driver (else a ring of the cap) */
	uint16_t data_at;   /* a packet's first byte from its mbuf's start (no private area) */
};

/* Frame bytes stored per packet (short buffers): every header the
 * stages parse (Ethernet, up to two VLAN tags, IPv4 with options, UDP,
 * BTH) and the generator's own 32 bytes, with room to spare. */
#define LOOM_VT_STORED_FRAME 256u

/* LOOM_VT_NO_HEADROOM: with short buffers an mbuf has no headroom of its
 * own either: its buffer starts at the mbuf itself (buf_addr = the mbuf,
 * data_off the usual RTE_PKTMBUF_HEADROOM), so a packet's first byte
 * follows the mbuf's header (data_at) and the 128 bytes of headroom DPDK
 * reserves before every packet are not stored. Nothing in a virtual run
 * prepends to a packet (a prepend would write over the mbuf's header):
 * generator hosts build frames by appending, the stages rewrite headers
 * in place, and packets that need room (cells, P4) have full buffers. */

/* The most mbufs: every switch port's queue full (outq_size) plus
 * LOOM_VT_LINK_MBUFS per link, 4 per generator host, 1024; at most
 * LOOM_VT_POOL_MAX (a run that would need more counts tx_no_buffer). */
#define LOOM_VT_POOL_MAX ((4u << 20) - 1) /* free mbufs' stack: 32 MB mapped, resident as deep as used */
#define LOOM_VT_LINK_MBUFS 64u
uint32_t loom_vt_pool_cap(uint64_t n_switch_ports, uint64_t n_gen_hosts, unsigned int outq_size);

/* Create it for fabric f (its max frame sets the data room). 0, or -1
 * with a message. */
int loom_vt_pool_create(struct loom_vt_pool *vp, const struct loom_fabric *f, char *err, size_t errlen);
/* Grow it by a sixteenth (a gen host's pool_grow): 1 when it grew, 0 at the
 * cap or without memory. */
int loom_vt_pool_grow(void *vp);
/* Bytes of memory its mbufs take. */
size_t loom_vt_pool_bytes(const struct loom_vt_pool *vp);
void loom_vt_pool_free(struct loom_vt_pool *vp);

#endif
