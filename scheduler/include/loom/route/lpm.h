/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A longest-prefix-match table for a switch's routes, IPv4 and IPv6 in one,
 * in plain memory: one open-addressing hash (linear probing) keyed by
 * (family, prefix length, masked address), probed from the longest length
 * present down to the shortest. A Clos fabric's tables have a handful of
 * lengths (/24 and /32, /64 and /128), so a lookup is two or three probes.
 *
 * Why not DPDK's rte_fib/rte_rib, which small fabrics use (DIR-24-8): each
 * RIB keeps its nodes in an rte_mempool, three DPDK memzones per table, and
 * DPDK 22.11 has 2560 memzones in all (RTE_MAX_MEMZONE, fixed at its
 * build): a k=32 fat tree has 545 distinct route sets, two tables each.
 * This one costs ~32 bytes per route and no memzone.
 *
 * Values are 32-bit (an ECMP group index); LOOM_LPM_NONE is "no route".
 * Deterministic: nothing depends on addresses or the allocator.
 */
#ifndef LOOM_ROUTE_LPM_H
#define LOOM_ROUTE_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOM_LPM_NONE UINT32_MAX

struct loom_lpm_slot {
	uint64_t hi, lo;  /* the masked address: IPv4 in lo's low 32 bits (host order); IPv6 big-endian halves */
	uint16_t plen;    /* family << 8 | length; 0: empty (a /0 is stored as family << 8) */
	uint32_t value;
};

struct loom_lpm {
	struct loom_lpm_slot *slots;
	uint32_t mask;   /* slots - 1, a power of two minus one */
	uint32_t n;      /* routes stored */
	uint32_t count[2][129];  /* routes per (family, length) */
	uint8_t lens[2][129];    /* lengths present, longest first */
	uint8_t n_lens[2];
};

/* 0, or -1 without memory. `hint`: routes expected (it grows anyway). */
int loom_lpm_init(struct loom_lpm *t, uint32_t hint);
void loom_lpm_free(struct loom_lpm *t);

/* Add or replace (value != LOOM_LPM_NONE), or remove (value ==
 * LOOM_LPM_NONE; removing what is not there is no error). Host bits of
 * the address are ignored. 0, or -1: a length out of range, or no memory
 * (the table is unchanged). IPv4 addresses in host order, as rte_fib's. */
int loom_lpm_set4(struct loom_lpm *t, uint32_t addr, uint8_t len, uint32_t value);
int loom_lpm_set6(struct loom_lpm *t, const uint8_t addr[16], uint8_t len, uint32_t value);

uint32_t loom_lpm_lookup4(const struct loom_lpm *t, uint32_t addr);
uint32_t loom_lpm_lookup6(const struct loom_lpm *t, const uint8_t addr[16]);

/* Bytes it holds (for memory by purpose). */
size_t loom_lpm_bytes(const struct loom_lpm *t);

#endif
