/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame sizes, defined once for the control plane (the topology, workload
 * and experiment loaders), loomd's generator hosts and the traffic manager.
 * Plain C, no DPDK: control/ uses them without it; dataplane/ checks them
 * against DPDK's (static asserts in dataplane/hosts/gen_host.c).
 *
 * A frame's size is the frame as the switch sees it: destination MAC to
 * the end of the payload, no FCS, preamble or inter-frame gap. It is what
 * a port counts in tx_bytes and what link timing serializes
 * (loom/sim/link.h), so a 1500-byte frame takes 1200 ns at 10 Gb/s.
 */
#ifndef LOOM_FRAME_H
#define LOOM_FRAME_H

/* Headers (IPv4 without options). */
#define LOOM_FRAME_ETH_HDR 14u  /* destination, source, Ethertype: RTE_ETHER_HDR_LEN */
#define LOOM_FRAME_FCS 4u       /* not counted in frame sizes; the wire adds it */
#define LOOM_FRAME_IPV4_HDR 20u
#define LOOM_FRAME_UDP_HDR 8u
#define LOOM_FRAME_BTH 12u      /* RoCEv2 base transport header, after UDP */

/* Before a generator host's payload: Ethernet + IPv4 + UDP [+ BTH]. */
#define LOOM_FRAME_HDR_UDP (LOOM_FRAME_ETH_HDR + LOOM_FRAME_IPV4_HDR + LOOM_FRAME_UDP_HDR) /* 42 */
#define LOOM_FRAME_HDR_ROCEV2 (LOOM_FRAME_HDR_UDP + LOOM_FRAME_BTH)                         /* 54 */

/* The header a generator host puts at the start of its payload
 * (struct loom_gen_payload: magic, slot, flow id, sequence, send time). */
#define LOOM_FRAME_GEN_PAYLOAD 32u

/* The frames a generator host sends: at least its headers and payload
 * header, at most a 9000-byte MTU's untagged frame (and never above its
 * link's MTU: control/ and loomd check), 1500 bytes when a flow does not
 * say. In real time the mbufs are as large as the fabric's largest MTU
 * needs (loom_mbuf_room_for_mtu); in virtual time they store only a
 * frame's first bytes (dataplane/runner/vt_pool.h), so a jumbo frame
 * costs no more memory than a small one. */
#define LOOM_FRAME_GEN_MIN_UDP (LOOM_FRAME_HDR_UDP + LOOM_FRAME_GEN_PAYLOAD)       /* 74 */
#define LOOM_FRAME_GEN_MIN_ROCEV2 (LOOM_FRAME_HDR_ROCEV2 + LOOM_FRAME_GEN_PAYLOAD) /* 86 */
#define LOOM_FRAME_GEN_MAX 9014u /* LOOM_MTU_MAX + LOOM_FRAME_ETH_HDR (static assert in dataplane/) */
#define LOOM_FRAME_DEFAULT 1500u

/* A generator host's transport ACK in its compact layout
 * (dataplane/hosts/gen_feedback.h; static assert there): the headers, its
 * 18-byte header, and what the flow's set-up adds: NSCC's echoed send time
 * (4), a coalescing flow's counts (4), REPS's port (2) and, coalescing, the
 * ports of the packets it answers (2 + 2 each, at most 8). An ACK of
 * packets that came in order (no selective-ACK block): what an unloaded
 * path carries (NSCC's base_rtt: path, control/topo/topo_path_rtt.h). */
#define LOOM_FRAME_FB_COMPACT_HDR 18u
#define LOOM_FRAME_FB_EV_ECHO_MAX 8u
static inline unsigned int loom_frame_tp_ack_bytes(int nscc, unsigned int ack_every, int reps)
{
	unsigned int n = ack_every < LOOM_FRAME_FB_EV_ECHO_MAX ? ack_every : LOOM_FRAME_FB_EV_ECHO_MAX;

	return LOOM_FRAME_HDR_UDP + LOOM_FRAME_FB_COMPACT_HDR + (nscc ? 4u : 0u) + (ack_every > 1 ? 4u : 0u) +
	       (reps ? 2u : 0u) + (reps && ack_every > 1 ? 2u + 2u * n : 0u);
}

/* Ethernet's minimum frame, 64 bytes with the FCS (60 without: a PFC
 * frame's size), and the largest jumbo frame a workload's `packet:` may
 * name (iperf3 pairs; generator hosts stop at LOOM_FRAME_GEN_MAX). */
#define LOOM_FRAME_ETH_MIN 64u
#define LOOM_FRAME_JUMBO 9216u

/* A link's MTU (`mtu:` in the topology): the largest IP packet it carries,
 * the frame after its Ethernet header and VLAN tags. 68 is IPv4's minimum,
 * 9000 the usual jumbo. A frame may carry up to two tags (QinQ). */
#define LOOM_MTU_MIN 68u
#define LOOM_MTU_DEFAULT 1500u
#define LOOM_MTU_MAX 9000u
#define LOOM_FRAME_VLAN_TAGS_MAX 8u
static inline unsigned int loom_frame_max_for_mtu(unsigned int mtu)
{
	return mtu + LOOM_FRAME_ETH_HDR + LOOM_FRAME_VLAN_TAGS_MAX;
}

/*
 * DPDK 22.11's net_af_packet copies each frame of its TPACKET_V2 ring into
 * one mbuf, and refuses an rx queue whose mbufs' data room is smaller than
 * the ring's frame (framesz) less 32 bytes (rx_queue_setup); the kernel cuts
 * a frame longer than framesz less its own header (80 bytes at most) and the
 * PMD passes it on cut. So a port of MTU m needs framesz >= m + 14 + 8 + 80,
 * and every mbuf the data room framesz - 32. framesz is rounded up to 128
 * bytes: the PMD finds frame i at i * framesz, so frames must tile whole
 * blocks (of pages) with no gap, which a multiple of 128 does in at most 32
 * frames; and at MTU 3560 (af_xdp's limit, below) the mbuf still fits a page. Up to MTU 1500 the PMD's default framesz (2048) fits, and
 * the mbufs keep DPDK's default data room (2048): a fabric without jumbo
 * links pays nothing for them.
 */
#define LOOM_AF_PACKET_FRAME_DEFAULT 2048u
#define LOOM_AF_PACKET_FRAME_HDR 80u   /* the kernel's header before the frame, at most */
#define LOOM_AF_PACKET_MBUF_SLACK 32u  /* framesz - data room the PMD asks for */
#define LOOM_MBUF_ROOM_DEFAULT 2048u   /* RTE_MBUF_DEFAULT_DATAROOM (static assert in dataplane/) */
static inline unsigned int loom_af_packet_framesz(unsigned int mtu)
{
	unsigned int need = loom_frame_max_for_mtu(mtu) + LOOM_AF_PACKET_FRAME_HDR;

	if (need <= LOOM_AF_PACKET_FRAME_DEFAULT)
		return LOOM_AF_PACKET_FRAME_DEFAULT;
	return (need + 127u) & ~127u;
}

/* DPDK 22.11's net_af_xdp: its max_mtu (a page less the mempool object
 * header, the mbuf, its headroom and XDP's 256-byte headroom: 3560 with
 * 4 KB pages; static assert in dataplane/ports/port_setup.c). Its UMEM is
 * loomd's mbuf pool, one object per 4 KB page at most, so a fabric with an
 * af_xdp host cannot have any link above it either. */
#define LOOM_AF_XDP_MAX_MTU 3560u

/* An af_xdp host's own link is a veth, and Linux refuses an XDP program on
 * a veth whose peer's MTU is above a page less XDP's 256-byte headroom,
 * skb_shared_info (320 bytes on x86-64) and the Ethernet header: 3506
 * (veth_xdp_set, Debian 12's 6.1; measured: dpdk-testpmd's net_af_xdp on a
 * veth pair at 3506 starts, at 3507 "veth: Peer MTU is too large to set
 * XDP"). So the host's link takes at most this; loomd would fail to start
 * its port above it. */
#define LOOM_AF_XDP_VETH_MAX_MTU 3506u

/* What an af_xdp host's link carries today: up to 3506 Linux accepts the
 * XDP program, but full-sized frames above 1500 never arrive (measured at
 * 3506: TCP moved nothing; the frame does not fit loomd's mbuf after XDP's
 * 256-byte headroom, and a page-sized mbuf makes net_af_xdp fail to create
 * its UMEM: docs/PERFORMANCE.md). Refused above this until that is fixed. */
#define LOOM_AF_XDP_HOST_MAX_MTU 1500u

/* The data room (after the headroom) every mbuf of a fabric whose largest
 * MTU is `mtu` needs: one buffer holds any frame (P4 and the stages need
 * contiguous packets), and af_packet ports accept the pool. (af_xdp hosts
 * above MTU 1500: their full-sized frames do not arrive, docs/PERFORMANCE.md;
 * giving them room after XDP's 256-byte headroom, up to a whole page, made
 * net_af_xdp fail to create its UMEM: open.) */
static inline unsigned int loom_mbuf_room_for_mtu(unsigned int mtu)
{
	unsigned int room = loom_af_packet_framesz(mtu) - LOOM_AF_PACKET_MBUF_SLACK;

	return room > LOOM_MBUF_ROOM_DEFAULT ? room : LOOM_MBUF_ROOM_DEFAULT;
}

#endif
