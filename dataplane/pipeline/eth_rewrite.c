/* SPDX-License-Identifier: BSD-3-Clause */
/* MAC rewrite. Reads: the next hop (its MAC and the egress port's, stored
 * together in header order). Sets: the Ethernet destination and source.
 * VLAN tags, if any, are kept as received. */
#include <stddef.h>
#include <string.h>

#include "stages.h"

_Static_assert(offsetof(struct loom_nexthop, src_mac) == RTE_ETHER_ADDR_LEN,
	       "the next hop's two MACs must be adjacent, in Ethernet header order");

void eth_rewrite(struct rte_mbuf *m, const struct loom_nexthop *nh)
{
	memcpy(rte_pktmbuf_mtod(m, void *), &nh->dst_mac, 2 * RTE_ETHER_ADDR_LEN);
}
