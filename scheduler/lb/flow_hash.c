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
#include "loom/lb/flow_hash.h"

static inline uint64_t absorb(uint64_t h, uint64_t word)
{
	return loom_flow_hash_mix64(h ^ word) + 0x9e3779b97f4a7c15ull;
}

uint32_t loom_flow_hash(const struct loom_flow_key *key, uint32_t seed)
{
	return loom_flow_hash_inline(key, seed); /* loom/lb/flow_hash.h */
}

uint32_t loom_seed_from_name(const char *name)
{
	uint64_t h = 0x4c4f4f4dull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = absorb(h, *p);
	return (uint32_t)(h >> 32) | 1u;
}
