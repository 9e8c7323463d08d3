/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which member ECMP picks for an IPv4 or IPv6 flow, with the switch's own
 * code (loom_flow_hash, loom_ecmp_select): the load-balancing fabric tests
 * use it to choose source ports whose flows collide on one uplink.
 *   flow_member SEED N_MEMBERS SRC DST PROTO SPORT DPORT [FLOW_LABEL]  -> member index
 * FLOW_LABEL: an IPv6 flow label that a switch with
 * load_balancing.hash_flow_label hashes (give 0 for one without).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/lb/ecmp.h"
#include "loom/lb/flow_hash.h"

int main(int argc, char **argv)
{
	struct loom_flow_key k;

	uint32_t seed, label = 0;
	int af;

	if (argc != 8 && argc != 9) {
		fprintf(stderr, "usage: %s SEED N_MEMBERS SRC DST PROTO SPORT DPORT [FLOW_LABEL]\n", argv[0]);
		return 2;
	}
	memset(&k, 0, sizeof(k));
	af = strchr(argv[3], ':') ? AF_INET6 : AF_INET;
	k.family = af == AF_INET6 ? LOOM_FLOW_IPV6 : LOOM_FLOW_IPV4;
	if (inet_pton(af, argv[3], k.src) != 1 || inet_pton(af, argv[4], k.dst) != 1) {
		fprintf(stderr, "%s: bad address\n", argv[0]);
		return 2;
	}
	if (argc == 9)
		label = (uint32_t)strtoul(argv[8], NULL, 0) & 0xfffffu;
	k.proto = (uint8_t)atoi(argv[5]);
	k.sport = (uint16_t)atoi(argv[6]);
	k.dport = (uint16_t)atoi(argv[7]);
	seed = loom_flow_hash_label_seed((uint32_t)strtoul(argv[1], NULL, 0), label);
	printf("%u\n", loom_ecmp_select(loom_flow_hash(&k, seed), (uint32_t)atoi(argv[2])));
	return 0;
}
