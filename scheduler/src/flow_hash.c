/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Written here rather than taken from DPDK (rte_hash_crc / rte_softrss)
 * because scheduler/ is plain C without DPDK, so that the same function is
 * used by the dataplane, the virtual-time runner and the unit tests. A CRC
 * is also a poor choice for seeded ECMP: CRC(seed ^ x) is affine in the
 * seed, so two seeds give mappings that differ by a constant XOR and the
 * low bits stay correlated. This is a 64-bit multiply-xorshift mixer
 * (the finalizer of MurmurHash3 / splitmix64) applied word by word.
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
	/* The seed enters as the starting state; the mixer that absorbs the
	 * first word spreads it, so it needs no mixing of its own. */
	uint64_t h = (((uint64_t)seed << 32) | seed) * 0x9e3779b97f4a7c15ull;
	uint64_t ports = ((uint64_t)key->sport << 48) | ((uint64_t)key->dport << 32) |
			 ((uint64_t)key->proto << 24) | key->dst_qp;

	if (key->family == LOOM_FLOW_IPV6) {
		h = absorb(h, load64(key->src));
		h = absorb(h, load64(key->src + 8));
		h = absorb(h, load64(key->dst));
		h = absorb(h, load64(key->dst + 8));
	} else {
		h = absorb(h, ((uint64_t)load32(key->src) << 32) | load32(key->dst));
	}
	h = absorb(h, ports);
	return (uint32_t)(h >> 32);
}

uint32_t loom_seed_from_name(const char *name)
{
	uint64_t h = 0x4c4f4f4dull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = absorb(h, *p);
	return (uint32_t)(h >> 32) | 1u;
}
