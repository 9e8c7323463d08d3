/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the switch answers itself, so that unmodified Linux hosts work:
 *  - ARP requests, on host-facing ports, for the gateway address and (as a
 *    proxy) for any other address of the port's host subnet;
 *  - IPv6 neighbour solicitations, likewise, answered with an advertisement;
 *  - ICMP / ICMPv6 echo requests to the gateway address.
 * Reads: the packet metadata and the ingress port's addresses. Sets: the
 * packet turned into its reply, queued back out of the ingress port. Other
 * ARP and ND traffic, and anything else sent to the gateway, is taken and
 * dropped under its own reason; everything else is left for routing.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "stages.h"

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_SOLICIT 133
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137
#define MLD_QUERY 130
#define MLD_REPORT 131
#define MLD_DONE 132
#define MLD2_REPORT 143

#define ND_NA_FLAG_ROUTER 0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE 0x20
#define ND_OPT_TARGET_LLADDR 2

struct nd_neighbor_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	uint8_t flags; /* NA only; NS: reserved */
	uint8_t reserved[3];
	uint8_t target[16];
} __rte_packed;

struct nd_opt_lladdr {
	uint8_t type;
	uint8_t len; /* in units of 8 bytes */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
};

/* A host address of the subnet: inside it, and neither its network nor
 * its broadcast address. */
static bool subnet_host4(uint32_t net_be, uint8_t len, uint32_t addr_be)
{
	uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
	uint32_t addr = rte_be_to_cpu_32(addr_be);

	return (addr & mask) == (rte_be_to_cpu_32(net_be) & mask) && (addr & ~mask) != 0 && (addr & ~mask) != ~mask;
}

static bool prefix_contains6(const uint8_t *net, uint8_t len, const uint8_t *addr)
{
	uint8_t full = len / 8, rest = len % 8;

	if (memcmp(net, addr, full) != 0)
		return false;
	return rest == 0 || ((net[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Send the packet, now a reply, back out of the port it came in on. */
static void reply_out(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&in->mac, &eth->src_addr);
	sw->c.answered++;
	sw->c.generated++;
	port_output(sw, in, m);
}

static enum loom_drop_reason arp_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
					const struct loom_pkt_meta *meta)
{
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, meta->l3_off);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	uint32_t target = a->arp_tip;

	if (!in->host_facing || arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return LOOM_DROP_ARP_IGNORED;
	/* Address probes (sender 0.0.0.0, RFC 5227) and gratuitous ARP ask
	 * whether someone else holds an address: never answer those as proxy. */
	if (a->arp_sip == 0 || target == a->arp_sip)
		return LOOM_DROP_ARP_IGNORED;
	if (target != in->gw_v4 && !subnet_host4(in->subnet_v4, in->subnet_v4_len, target))
		return LOOM_DROP_ARP_IGNORED;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&a->arp_sha, &a->arp_tha);
	a->arp_tip = a->arp_sip;
	rte_ether_addr_copy(&in->mac, &a->arp_sha);
	a->arp_sip = target;
	reply_out(sw, in, m);
	return LOOM_DROP_NONE;
}

static bool is_nd_or_mld(uint8_t type)
{
	return (type >= MLD_QUERY && type <= MLD_DONE) || (type >= ND_ROUTER_SOLICIT && type <= ND_REDIRECT) ||
	       type == MLD2_REPORT;
}

/* Neighbour solicitation -> advertisement, rebuilt in place:
 * IPv6 (src = target, dst = solicitor) + NA + target link-layer option. */
static enum loom_drop_reason nd_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
				       const struct loom_pkt_meta *meta)
{
	static const uint8_t unspecified[16];
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, meta->l3_off);
	struct nd_neighbor_msg *nd = rte_pktmbuf_mtod_offset(m, struct nd_neighbor_msg *, meta->l4_off);
	struct nd_opt_lladdr *opt = (struct nd_opt_lladdr *)(nd + 1);
	uint32_t reply_len = meta->l4_off + sizeof(*nd) + sizeof(*opt);
	uint8_t target[16];

	/* RFC 4861 7.1.1: a solicitation with a hop limit other than 255 (it
	 * was routed) or a bad checksum is silently discarded. Solicitations
	 * with extension headers are not answered. */
	if (!in->host_facing || nd->type != ND_NEIGHBOR_SOLICIT ||
	    meta->l4_off != meta->l3_off + sizeof(*ip6) || meta->l3_off + meta->l3_len < meta->l4_off + sizeof(*nd) ||
	    ip6->hop_limits != 255 || rte_ipv6_udptcp_cksum_verify(ip6, nd) != 0)
		return LOOM_DROP_ND_IGNORED;
	memcpy(target, nd->target, 16);
	if (memcmp(ip6->src_addr, unspecified, 16) == 0) /* duplicate address detection */
		return LOOM_DROP_ND_IGNORED;
	if (in->subnet_v6_len == 0) /* a leaf without IPv6 */
		return LOOM_DROP_ND_IGNORED;
	if (memcmp(target, in->gw_v6, 16) != 0 &&
	    (!prefix_contains6(in->subnet_v6, in->subnet_v6_len, target) || memcmp(target, ip6->src_addr, 16) == 0))
		return LOOM_DROP_ND_IGNORED;
	if (reply_len > rte_pktmbuf_data_len(m) &&
	    rte_pktmbuf_append(m, (uint16_t)(reply_len - rte_pktmbuf_data_len(m))) == NULL)
		return LOOM_DROP_ND_IGNORED;
	if (reply_len < rte_pktmbuf_data_len(m))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - reply_len));

	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*nd) + sizeof(*opt));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255; /* RFC 4861: ND messages must carry 255 */
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, target, 16);
	nd->type = ND_NEIGHBOR_ADVERT;
	nd->code = 0;
	nd->flags = ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE;
	memset(nd->reserved, 0, sizeof(nd->reserved));
	opt->type = ND_OPT_TARGET_LLADDR;
	opt->len = 1;
	memcpy(opt->mac, in->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd->cksum = 0;
	nd->cksum = rte_ipv6_udptcp_cksum(ip6, nd);
	reply_out(sw, in, m);
	return LOOM_DROP_NONE;
}

/* ICMP echo request to the gateway -> echo reply. */
static enum loom_drop_reason echo4_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
					  const struct loom_pkt_meta *meta)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l3_off);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, meta->l4_off);
	uint32_t icmp_len = meta->l3_len - (meta->l4_off - meta->l3_off);
	uint32_t addr;

	if (meta->l4_proto != IPPROTO_ICMP || meta->is_fragment || meta->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		return LOOM_DROP_TO_SWITCH;
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, icmp_len);
	reply_out(sw, in, m);
	return LOOM_DROP_NONE;
}

static enum loom_drop_reason echo6_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
					  const struct loom_pkt_meta *meta)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, meta->l3_off);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, meta->l4_off);
	uint8_t addr[16];

	/* Extension headers would have to be removed from the reply: only
	 * plain echo requests are answered. */
	if (meta->l4_proto != IPPROTO_ICMPV6 || meta->icmp_type != ICMP6_ECHO_REQUEST ||
	    meta->l4_off != meta->l3_off + sizeof(*ip6))
		return LOOM_DROP_TO_SWITCH;
	memcpy(addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, addr, 16);
	ip6->hop_limits = 64;
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, icmp);
	reply_out(sw, in, m);
	return LOOM_DROP_NONE;
}

bool neigh_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
		  const struct loom_pkt_meta *meta, enum loom_drop_reason *drop)
{
	switch (meta->l3_kind) {
	case LOOM_L3_ARP:
		*drop = arp_answer(sw, in, m, meta);
		return true;
	case LOOM_L3_IPV4:
		if (!in->host_facing || meta->l2_dst != LOOM_L2_UNICAST || memcmp(meta->key.dst, &in->gw_v4, 4) != 0)
			return false;
		*drop = echo4_answer(sw, in, m, meta);
		return true;
	case LOOM_L3_IPV6:
		if (meta->l4_proto == IPPROTO_ICMPV6 && is_nd_or_mld(meta->icmp_type)) {
			*drop = nd_answer(sw, in, m, meta);
			return true;
		}
		if (!in->host_facing || meta->l2_dst != LOOM_L2_UNICAST || in->subnet_v6_len == 0 ||
		    memcmp(meta->key.dst, in->gw_v6, 16) != 0)
			return false;
		*drop = echo6_answer(sw, in, m, meta);
		return true;
	default:
		return false;
	}
}
