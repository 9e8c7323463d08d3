/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Written here rather than taken from DPDK (rte_hash_crc / rte_softrss)
 * because scheduler/ is plain C without DPDK, so that the same function is
 * used by the dataplane, the virtual-time runner and the unit tests. A CRC
 * is also a poor choice for seeded ECMP: CRC(seed ^ x) is affine in the
 * seed, so two seeds give mappings that differ by a constant XOR and the
 * low bits stay correlated. This multiplies each word by an odd constant
 * and ends with a 64-bit multiply-xorshift mixer (the finalizer of
 * MurmurHash3 / splitmix64).
 */
#include <string.h>

#include "loom/flow_hash.h"

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t absorb(uint64_t h, uint64_t word)
{
	return mix64(h ^ word) + 0x9e3779b97f4a7c15ull;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

uint32_t loom_flow_hash(const struct loom_flow_key *key, uint32_t seed)
{
	/* Each word is multiplied by its own odd constant (a bijection that
	 * spreads low bits upwards), the products are combined with the seed,
	 * and one strong mix at the end gives the avalanche: a single mix64 on
	 * the critical path instead of one per word. */
	uint64_t ports = ((uint64_t)key->sport << 48) | ((uint64_t)key->dport << 32) |
			 ((uint64_t)key->proto << 24) | key->dst_qp;
	uint64_t h = (((uint64_t)seed << 32) | seed) * 0x9e3779b97f4a7c15ull;

	h ^= ports * 0xc2b2ae3d27d4eb4full;
	if (key->family == LOOM_FLOW_IPV6) {
		h ^= load64(key->src) * 0x165667b19e3779f9ull;
		h += load64(key->src + 8) * 0x27d4eb2f165667c5ull;
		h ^= load64(key->dst) * 0x85ebca77c2b2ae63ull;
		h += load64(key->dst + 8) * 0xff51afd7ed558ccdull;
	} else {
		h += (((uint64_t)load32(key->src) << 32) | load32(key->dst)) * 0x165667b19e3779f9ull;
	}
	return (uint32_t)(mix64(h) >> 32);
}

uint32_t loom_seed_from_name(const char *name)
{
	uint64_t h = 0x4c4f4f4dull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = absorb(h, *p);
	return (uint32_t)(h >> 32) | 1u;
}
