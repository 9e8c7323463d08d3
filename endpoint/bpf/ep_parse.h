/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header parsing for the endpoint programs: Ethernet (untagged: host
 * interfaces are), IPv4 (options skipped, no fragments) or IPv6 (the
 * upper-layer header right after the fixed one), TCP, UDP and the RoCEv2
 * BTH. Only UAPI headers (linux/...) and packet bytes are read: no kernel
 * structure, so no CO-RE relocation and no vmlinux.h; the same object
 * loads on any kernel with tc BPF (6.1, 6.18).
 */
#ifndef LOOM_EP_PARSE_H
#define LOOM_EP_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "../endpoint_abi.h"

#define EP_PULL_LEN 128 /* enough for Ethernet, IPv6 or IPv4 with options, TCP/UDP, BTH, iperf3's header */

struct ep_pkt {
	__u32 l3_off, l4_off;  /* from skb->data */
	__u32 l4_len;          /* upper-layer bytes the IP header announces */
	__u8 family, proto;
	__u8 ecn;              /* IP ECN bits */
	__u8 is_roce;          /* UDP to 4791 */
	__u32 label;           /* IPv6 flow label, else 0 */
	__u16 sport, dport;    /* host order */
	__u8 src[16], dst[16];
};

/* 0: parsed; -1: not a packet for us (other protocols, fragments, too short). */
static __always_inline int ep_parse(struct __sk_buff *skb, struct ep_pkt *p)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u8 *l4;

	if ((void *)(eth + 1) > end)
		return -1;
	p->l3_off = sizeof(*eth);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return -1;
		ihl = ip->ihl * 4u;
		if (ihl < sizeof(*ip) || (ip->frag_off & bpf_htons(0x3fff)))
			return -1;
		if (bpf_ntohs(ip->tot_len) < ihl)
			return -1;
		p->family = 4;
		p->proto = ip->protocol;
		p->ecn = ip->tos & 3;
		p->label = 0;
		p->l4_len = bpf_ntohs(ip->tot_len) - ihl;
		__builtin_memset(p->src, 0, sizeof(p->src));
		__builtin_memset(p->dst, 0, sizeof(p->dst));
		__builtin_memcpy(p->src, &ip->saddr, 4);
		__builtin_memcpy(p->dst, &ip->daddr, 4);
		p->l4_off = p->l3_off + ihl;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return -1;
		p->family = 6;
		p->proto = ip6->nexthdr;
		p->ecn = (bpf_ntohs(*(__be16 *)ip6) >> 4) & 3;
		p->label = bpf_ntohl(*(__be32 *)ip6) & 0xfffff;
		p->l4_len = bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(p->src, &ip6->saddr, 16);
		__builtin_memcpy(p->dst, &ip6->daddr, 16);
		p->l4_off = p->l3_off + sizeof(*ip6);
	} else {
		return -1;
	}
	p->sport = p->dport = 0;
	p->is_roce = 0;
	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)
		return 0;
	l4 = data + p->l4_off;
	if ((void *)(l4 + 8) > end)
		return -1;
	p->sport = (__u16)(l4[0] << 8 | l4[1]);
	p->dport = (__u16)(l4[2] << 8 | l4[3]);
	p->is_roce = p->proto == IPPROTO_UDP && p->dport == LOOM_EP_ROCE_PORT;
	return 0;
}

/* Parse; if the headers are not in the linear part, pull them once. */
static __always_inline int ep_parse_pull(struct __sk_buff *skb, struct ep_pkt *p)
{
	if (ep_parse(skb, p) == 0)
		return 0;
	if (skb->data_end - skb->data >= EP_PULL_LEN || skb->len <= skb->data_end - skb->data)
		return -1; /* all there already: not ours */
	if (bpf_skb_pull_data(skb, skb->len < EP_PULL_LEN ? skb->len : EP_PULL_LEN) < 0)
		return -1;
	return ep_parse(skb, p);
}

static __always_inline int ep_udp_named(const struct loom_ep_config *c, __u16 dport)
{
#pragma unroll
	for (int i = 0; i < LOOM_EP_UDP_PORTS; i++)
		if (c->udp_ports[i] && c->udp_ports[i] == dport)
			return 1;
	return 0;
}

#endif
