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

/* A per-switch seed derived from its name when the topology gives none. */
uint32_t loom_seed_from_name(const char *name);

#endif
