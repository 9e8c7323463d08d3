/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The maps both endpoint programs share (one object, one skeleton): the
 * host's configuration (loomctl writes it), the sender's flows, the
 * receiver's flows and the per-CPU totals. loomctl finds them again
 * through the programs attached to the host's interface, by name (15
 * characters at most): nothing is pinned, so removing the host removes
 * them.
 */
#ifndef LOOM_EP_MAPS_H
#define LOOM_EP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../endpoint_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loom_ep_config);
} ep_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LOOM_EP_FLOWS);
	__type(key, struct loom_ep_flow_key);
	__type(value, struct loom_ep_lb_flow);
} ep_lb_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LOOM_EP_FLOWS);
	__type(key, struct loom_ep_flow_key);
	__type(value, struct loom_ep_rx_flow);
} ep_rx_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loom_ep_counters);
} ep_counters SEC(".maps");

static __always_inline struct loom_ep_counters *ep_totals(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ep_counters, &zero);
}

static __always_inline void ep_key(struct loom_ep_flow_key *k, __u8 family, __u8 proto, const __u8 *src,
				   const __u8 *dst, __u16 sport, __u16 dport, __u32 qp)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = proto;
	k->sport = sport;
	k->dport = dport;
	k->qp = qp;
	__builtin_memcpy(k->src, src, 16);
	__builtin_memcpy(k->dst, dst, 16);
}

#endif
