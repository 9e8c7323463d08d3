/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded flow hash over the 5-tuple (plus the RoCEv2 destination QP).
 *
 * Every switch hashes with its own seed. With one unseeded function, a
 * spine would receive from a leaf only the flows that hashed to it and then
 * split them with the very same function, sending them all down one member
 * (hash polarization). With per-switch seeds, the choices at each tier are
 * independent.
 */
#ifndef LOOM_FLOW_HASH_H
#define LOOM_FLOW_HASH_H

#include <stdint.h>

enum loom_flow_family { LOOM_FLOW_IPV4 = 4, LOOM_FLOW_IPV6 = 6 };

/* The fields a flow is identified by. Addresses are in network byte order;
 * for IPv4 only the first 4 bytes of src/dst are used. Ports and the QP are
 * host order; they are 0 when the packet has none (non-first fragments,
 * protocols without ports, non-RoCE traffic). */
struct loom_flow_key {
	uint8_t family; /* enum loom_flow_family */
	uint8_t proto;  /* IP protocol / IPv6 upper-layer header */
	uint16_t sport;
	uint16_t dport;
	uint32_t dst_qp; /* RoCEv2 BTH destination QP (24 bits), else 0 */
	uint8_t src[16];
	uint8_t dst[16];
};

/* 32-bit hash of the key under `seed`. Not cryptographic; chosen for speed
 * and for avalanche so that seeds give independent member mappings
 * (see tests/unit/test_flow_hash.c for the measured bounds). */
uint32_t loom_flow_hash(const struct loom_flow_key *key, uint32_t seed);

/* The same function, in line, for the per-packet path (member_select.c);
 * flow_hash.c says why it is built this way. */
static inline uint64_t loom_flow_hash_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t loom_flow_hash_inline(const struct loom_flow_key *key, uint32_t seed)
{
	/* Each word is multiplied by its own odd constant (a bijection that
	 * spreads low bits upwards), the products are combined with the seed,
	 * and one strong mix at the end gives the avalanche: a single mix64 on
	 * the critical path instead of one per word. */
	uint64_t ports = ((uint64_t)key->sport << 48) | ((uint64_t)key->dport << 32) |
			 ((uint64_t)key->proto << 24) | key->dst_qp;
	uint64_t h = (((uint64_t)seed << 32) | seed) * 0x9e3779b97f4a7c15ull;
	uint64_t w[4];
	uint32_t s4, d4;

	h ^= ports * 0xc2b2ae3d27d4eb4full;
	if (key->family == LOOM_FLOW_IPV6) {
		__builtin_memcpy(w, key->src, 16);
		__builtin_memcpy(w + 2, key->dst, 16);
		h ^= w[0] * 0x165667b19e3779f9ull;
		h += w[1] * 0x27d4eb2f165667c5ull;
		h ^= w[2] * 0x85ebca77c2b2ae63ull;
		h += w[3] * 0xff51afd7ed558ccdull;
	} else {
		__builtin_memcpy(&s4, key->src, 4);
		__builtin_memcpy(&d4, key->dst, 4);
		h += (((uint64_t)s4 << 32) | d4) * 0x165667b19e3779f9ull;
	}
	return (uint32_t)(loom_flow_hash_mix64(h) >> 32);
}

/* A per-switch seed derived from its name when the topology gives none. */
uint32_t loom_seed_from_name(const char *name);

#endif
