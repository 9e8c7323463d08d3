/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trimming (NDP, Handley et al., SIGCOMM 2017; UEC): a packet of a
 * trim class (cfg.trim) that its queue, the shared buffer or WRED would
 * drop is cut to its headers instead, so that the receiver learns at once
 * what it lost and asks for it (selective repeat's NACK, go-back-N's
 * NAK: dataplane/hosts/gen_transport.h).
 *
 * Reads: the packet's IPv4 and UDP headers, the trim class's queue and the
 * shared buffer. Sets: the packet cut to LOOM_TM_TRIM_BYTES, still a valid
 * IPv4/UDP packet: total length and UDP length of what is left, the IPv4
 * checksum recomputed, the UDP checksum 0 (none: IPv4 allows it, and the
 * one it had covered the payload cut off); its DSCP = cfg.trim_dscp (the
 * mark: ECN bits kept), and queued in the class that DSCP maps to (a
 * high-priority class, by configuration: it jumps the queue that was
 * full). Counted per port (tm_port_stats.trimmed) and per class it came
 * from. Not trimmed (the caller drops it as it would have): IPv6, not
 * UDP, a fragment, not longer than the trim size, or no room in the trim
 * class either.
 */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "switch.h"
#include "tm.h"

/* The IPv4 header length when m can be trimmed, else 0. */
static uint32_t trimmable(const struct rte_mbuf *m, uint16_t l3_off)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl;

	if (!l3_off || rte_pktmbuf_pkt_len(m) <= LOOM_TM_TRIM_BYTES || m->nb_segs != 1)
		return 0;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if ((ip->version_ihl >> 4) != 4 || ip->next_proto_id != IPPROTO_UDP || ihl < sizeof(*ip) ||
	    l3_off + ihl + sizeof(struct rte_udp_hdr) > LOOM_TM_TRIM_BYTES ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)))
		return 0;
	return ihl;
}

static void cut(struct rte_mbuf *m, uint16_t l3_off, uint32_t ihl, uint8_t dscp)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)ip + ihl);

	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - LOOM_TM_TRIM_BYTES));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(LOOM_TM_TRIM_BYTES - l3_off));
	ip->type_of_service = (uint8_t)(dscp << 2 | (ip->type_of_service & 3));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(LOOM_TM_TRIM_BYTES - l3_off - ihl));
	udp->dgram_cksum = 0;
}

bool tm_trim_cut(struct rte_mbuf *m, uint16_t l3_off, uint8_t dscp)
{
	uint32_t ihl = trimmable(m, l3_off);

	if (!ihl)
		return false;
	cut(m, l3_off, ihl, dscp);
	return true;
}

bool tm_trim(struct loom_switch *sw, struct tm_port *t, struct rte_mbuf *m, uint16_t l3_off, uint16_t in_port)
{
	struct tm_switch *ts = sw->tm;
	int from = m->hash.sched.traffic_class;
	int cls = loom_dscp_to_class(&t->cfg.dscp, t->cfg.trim_dscp);
	struct tm_queue *q = &t->q[cls];
	uint32_t ihl = trimmable(m, l3_off);

	if (!ihl || cls >= t->n_classes)
		return false;
	/* room for the trimmed packet, as for any packet of that class */
	if (t->n_pkts >= TM_PORT_PKTS || q->bytes + LOOM_TM_TRIM_BYTES > q->limit ||
	    loom_buffer_admit(&ts->buf, q->bytes, LOOM_TM_TRIM_BYTES, ts->alpha_log2) != LOOM_BUFFER_ADMIT)
		return false;
	cut(m, l3_off, ihl, t->cfg.trim_dscp);
	m->hash.sched = (struct rte_mbuf_sched){.queue_id = in_port, .traffic_class = (uint8_t)cls, .color = 0};
	t->st.trimmed++;
	t->q[from].st.trimmed++;
	q->st.in_pkts++;
	q->st.in_bytes += LOOM_TM_TRIM_BYTES;
	tm_queue_push(t, q, m, LOOM_TM_TRIM_BYTES);
	return true;
}
