/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which member ECMP picks for an IPv4 flow, with the switch's own code
 * (loom_flow_hash, loom_ecmp_select): the load-balancing fabric test uses it
 * to choose source ports whose flows collide on one uplink.
 *   flow_member SEED N_MEMBERS SRC DST PROTO SPORT DPORT  -> member index
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

	if (argc != 8) {
		fprintf(stderr, "usage: %s SEED N_MEMBERS SRC DST PROTO SPORT DPORT\n", argv[0]);
		return 2;
	}
	memset(&k, 0, sizeof(k));
	k.family = LOOM_FLOW_IPV4;
	if (inet_pton(AF_INET, argv[3], k.src) != 1 || inet_pton(AF_INET, argv[4], k.dst) != 1) {
		fprintf(stderr, "%s: bad IPv4 address\n", argv[0]);
		return 2;
	}
	k.proto = (uint8_t)atoi(argv[5]);
	k.sport = (uint16_t)atoi(argv[6]);
	k.dport = (uint16_t)atoi(argv[7]);
	printf("%u\n", loom_ecmp_select(loom_flow_hash(&k, (uint32_t)strtoul(argv[1], NULL, 0)),
				       (uint32_t)atoi(argv[2])));
	return 0;
}
