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
	uint32_t flow_label; /* IPv6 flow label (20 bits), else 0: hashed only through
			      * loom_flow_hash_label_seed(), where a switch asks for it */
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

/* The inline hash in pieces, so that the IPv4 fast path
 * (dataplane/pipeline/ipv4_fast_path.c) hashes straight from the packet's
 * fields, a burst at a time, and gets exactly what the key would give:
 * a seed word, a ports word, an address word (IPv4), one strong mix. */
#define LOOM_FLOW_HASH_K_SEED 0x9e3779b97f4a7c15ull
#define LOOM_FLOW_HASH_K_PORTS 0xc2b2ae3d27d4eb4full
#define LOOM_FLOW_HASH_K_ADDR4 0x165667b19e3779f9ull

static inline uint64_t loom_flow_hash_seed_word(uint32_t seed)
{
	return (((uint64_t)seed << 32) | seed) * LOOM_FLOW_HASH_K_SEED;
}

/* `ports` is (sport << 16 | dport), as a 32-bit load of the transport
 * header gives it in host order. */
static inline uint64_t loom_flow_hash_ports_word32(uint32_t ports, uint8_t proto, uint32_t dst_qp)
{
	return ((uint64_t)ports << 32) | ((uint64_t)proto << 24) | dst_qp;
}

static inline uint64_t loom_flow_hash_ports_word(uint16_t sport, uint16_t dport, uint8_t proto, uint32_t dst_qp)
{
	return loom_flow_hash_ports_word32(((uint32_t)sport << 16) | dport, proto, dst_qp);
}

/* IPv4: the address word is (src << 32 | dst), each as loaded from the
 * packet (network-order bytes in a host word). */
static inline uint32_t loom_flow_hash_ipv4_words(uint64_t seed_word, uint64_t ports_word, uint64_t addr_word)
{
	uint64_t h = (seed_word ^ ports_word * LOOM_FLOW_HASH_K_PORTS) + addr_word * LOOM_FLOW_HASH_K_ADDR4;

	return (uint32_t)(loom_flow_hash_mix64(h) >> 32);
}

static inline uint32_t loom_flow_hash_inline(const struct loom_flow_key *key, uint32_t seed)
{
	/* Each word is multiplied by its own odd constant (a bijection that
	 * spreads low bits upwards), the products are combined with the seed,
	 * and one strong mix at the end gives the avalanche: a single mix64 on
	 * the critical path instead of one per word. */
	uint64_t seed_word = loom_flow_hash_seed_word(seed);
	uint64_t ports_word = loom_flow_hash_ports_word(key->sport, key->dport, key->proto, key->dst_qp);
	uint64_t h, w[4];
	uint32_t s4, d4;

	if (key->family == LOOM_FLOW_IPV6) {
		h = seed_word ^ ports_word * LOOM_FLOW_HASH_K_PORTS;
		__builtin_memcpy(w, key->src, 16);
		__builtin_memcpy(w + 2, key->dst, 16);
		h ^= w[0] * LOOM_FLOW_HASH_K_ADDR4;
		h += w[1] * 0x27d4eb2f165667c5ull;
		h ^= w[2] * 0x85ebca77c2b2ae63ull;
		h += w[3] * 0xff51afd7ed558ccdull;
		return (uint32_t)(loom_flow_hash_mix64(h) >> 32);
	}
	__builtin_memcpy(&s4, key->src, 4);
	__builtin_memcpy(&d4, key->dst, 4);
	return loom_flow_hash_ipv4_words(seed_word, ports_word, ((uint64_t)s4 << 32) | d4);
}

/* The IPv6 flow label as part of the flow (a switch's
 * load_balancing.hash_flow_label, docs/ENDPOINTS.md): mixed into the seed,
 * so that a label of 0 (IPv4, or the option off: the caller masks it) gives
 * exactly the 5-tuple hash, and endpoints that change the label of a flow
 * (spraying, flowlets, repathing) move it to another member. */
static inline uint32_t loom_flow_hash_label_seed(uint32_t seed, uint32_t flow_label)
{
	return seed ^ flow_label * 0x9e3779b1u;
}

/* A per-switch seed derived from its name when the topology gives none. */
uint32_t loom_seed_from_name(const char *name);

#endif
