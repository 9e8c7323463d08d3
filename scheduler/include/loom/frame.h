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
 * header, at most one mbuf of DPDK's default data room (2048 bytes),
 * 1500 bytes when a flow does not say. */
#define LOOM_FRAME_GEN_MIN_UDP (LOOM_FRAME_HDR_UDP + LOOM_FRAME_GEN_PAYLOAD)       /* 74 */
#define LOOM_FRAME_GEN_MIN_ROCEV2 (LOOM_FRAME_HDR_ROCEV2 + LOOM_FRAME_GEN_PAYLOAD) /* 86 */
#define LOOM_FRAME_GEN_MAX 2000u
#define LOOM_FRAME_DEFAULT 1500u

/* Ethernet's minimum frame, 64 bytes with the FCS (60 without: a PFC
 * frame's size), and the largest jumbo frame a workload's `packet:` may
 * name (iperf3 pairs; generator hosts stop at LOOM_FRAME_GEN_MAX). */
#define LOOM_FRAME_ETH_MIN 64u
#define LOOM_FRAME_JUMBO 9216u

#endif
