/* SPDX-License-Identifier: BSD-3-Clause */
/* MAC rewrite. Reads: the next hop and the egress port. Sets: the
 * Ethernet source (egress port MAC) and destination (next hop MAC). VLAN
 * tags, if any, are kept as received. */
#include "stages.h"

void eth_rewrite(struct rte_mbuf *m, const struct loom_port *out, const struct loom_nexthop *nh)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&nh->dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&out->mac, &eth->src_addr);
}
