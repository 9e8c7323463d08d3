/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TTL / hop limit. Reads: the IPv4 TTL or IPv6 hop limit. Sets: the value
 * minus one and, for IPv4, the header checksum updated incrementally
 * (RFC 1624, eqn. 3) instead of recomputed. A packet that arrives with 1
 * or 0 is dropped as ttl_expired (ICMP time-exceeded is not sent yet).
 */
#include <rte_ip.h>

#include "stages.h"

enum loom_drop_reason ip_ttl_decrement(struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	if (meta->ttl <= 1)
		return LOOM_DROP_TTL_EXPIRED;
	if (meta->l3_kind == LOOM_L3_IPV4) {
		ipv4_ttl_decrement(rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l3_off));
	} else {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, meta->l3_off);
		ip6->hop_limits--;
	}
	return LOOM_DROP_NONE;
}
