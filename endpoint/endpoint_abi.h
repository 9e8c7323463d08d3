/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the endpoint programs (endpoint/bpf/, docs/ENDPOINTS.md) and loomctl
 * share: the configuration a host's programs run with and the records of
 * their maps. Plain <linux/types.h> types, so that the same header
 * compiles for -target bpf and for loomctl.
 */
#ifndef LOOM_ENDPOINT_ABI_H
#define LOOM_ENDPOINT_ABI_H

#include <linux/types.h>

/* Sender load balancing: how often a flow's entropy (IPv6 flow label, UDP
 * source port of RoCEv2 and named UDP flows) changes. */
enum loom_ep_lb_mode {
	LOOM_EP_LB_OFF = 0,
	LOOM_EP_LB_PACKET,  /* every packet: spraying */
	LOOM_EP_LB_FLOWLET, /* after an idle gap of flowlet_gap_ns */
	LOOM_EP_LB_REPATH,  /* after repath_rounds rounds in a row with congestion echoed (PLB) */
	LOOM_EP_LB_N,
};

#define LOOM_EP_UDP_PORTS 8       /* named UDP destination ports */
#define LOOM_EP_BUCKETS 8         /* reorder distances 1, 2-3, 4-7, ... 128+ (as lb_reorder.h) */
#define LOOM_EP_IDLE_NS 100000000ull /* a flow silent this long starts afresh (as LB_REORDER_IDLE_NS) */
#define LOOM_EP_ROCE_PORT 4791
#define LOOM_EP_FLOWS 16384       /* entries of each flow map (LRU) */

struct loom_ep_config {
	__u32 lb_mode;          /* enum loom_ep_lb_mode */
	__u32 measure;          /* 1: the ingress program measures */
	__u64 flowlet_gap_ns;
	__u64 round_ns;         /* a repathing round */
	__u32 repath_rounds;    /* N congested rounds in a row -> new entropy */
	__u32 seed;             /* mixed into new entropy */
	__s64 realtime_minus_mono_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at attach: latency of iperf3 UDP */
	__u16 udp_ports[LOOM_EP_UDP_PORTS]; /* named UDP flows (destination port), 0 = unused */
};

/* A flow. Measurement: TCP 5-tuple; RoCEv2 (src, dst, dest QP), the source
 * port being entropy; named UDP 5-tuple. Load balancing: the sender's
 * 5-tuple; RoCEv2 (src, dst) only, as a CNP names the sender's QP, which
 * the data packets do not carry. */
struct loom_ep_flow_key {
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u16 pad;
	__u32 qp;
	__u8 src[16];
	__u8 dst[16];
};

struct loom_ep_lb_flow {
	__u64 last_ns;          /* last packet sent */
	__u64 round_start_ns;
	__u32 entropy;          /* current flow label / source port entropy */
	__u32 marked;           /* congestion echoed in this round */
	__u32 congested_rounds; /* in a row */
	__u32 pad;
	__u64 packets;
	__u64 changes;          /* entropy changes (packet, flowlet or repath) */
	__u64 repaths;          /* repath mode: changes for congestion */
	__u64 echoes;           /* ECE-flagged ACKs / CNPs received for the flow */
};

struct loom_ep_rx_flow {
	__u32 highest; /* highest sequence (serial), PSN << 8 for RoCEv2 */
	__u32 highest_entropy; /* the entropy (flow label; RoCEv2: source port) of the packet that set it */
	__u64 last_ns;
	__u64 packets;
	__u64 out_of_order;
	__u64 distance[LOOM_EP_BUCKETS];
	__u64 late_same_entropy; /* late behind a packet of the same entropy: reordered within a flowlet */
	__u64 ce;      /* packets that arrived CE-marked */
	__u64 lat_n, lat_sum_ns, lat_min_ns, lat_max_ns;
};

/* Per-CPU totals (loomctl sums the CPUs). */
struct loom_ep_counters {
	__u64 tx_packets;      /* seen by the egress program */
	__u64 tx_rewritten;    /* entropy written */
	__u64 tx_changes;      /* new entropy chosen */
	__u64 tx_repaths;
	__u64 rx_echoes;       /* congestion echoes (TCP ECE, RoCEv2 CNP) */
	__u64 rx_packets;      /* seen by the ingress program */
	__u64 rx_measured;     /* with a sequence number */
	__u64 rx_out_of_order;
	__u64 rx_late_same_entropy;
	__u64 rx_distance[LOOM_EP_BUCKETS];
	__u64 rx_flows;        /* flows that started (or started afresh after the idle time) */
	__u64 rx_ce;
	__u64 rx_lat_n, rx_lat_sum_ns;
};

#endif
