/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's frames (see gen_frame.h).
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "gen_frame.h"
#include "gen_state.h"

struct rte_ipv4_hdr *loom_gen_frame_alloc(struct loom_gen_host *h, uint32_t frame, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	struct rte_ether_hdr *eth;

	if (unlikely(!m) && h->pool_grow && h->pool_grow(h->pool_grow_ctx) > 0)
		m = rte_pktmbuf_alloc(h->pool);
	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)frame);
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth->dst_addr = h->gw_mac;
	eth->src_addr = h->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	*mp = m;
	return (struct rte_ipv4_hdr *)(eth + 1);
}

uint32_t loom_gen_min_frame(uint8_t transport)
{
	return transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_GEN_MIN_ROCEV2 : LOOM_FRAME_GEN_MIN_UDP;
}

uint64_t loom_gen_burst_packets(uint64_t burst_bytes, uint32_t frame, uint8_t transport)
{
	uint32_t payload = frame - (transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_HDR_ROCEV2 : LOOM_FRAME_HDR_UDP);
	uint64_t n = burst_bytes / payload + (burst_bytes % payload != 0);

	return n ? n : 1;
}
