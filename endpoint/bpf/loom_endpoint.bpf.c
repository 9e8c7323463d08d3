/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A Loom host's endpoint programs (docs/ENDPOINTS.md), attached by
 * `loomctl endpoint` to the host's interface with tc (clsact):
 *   loom_ep_egress:  sender load balancing (ep_lb.h);
 *   loom_ep_ingress: receiver measurement (ep_measure.h) and, for
 *                    repathing, the congestion echoes (ep_lb.h).
 * Both pass every packet on (TC_ACT_OK): they rewrite or count, never drop.
 */
#include "ep_lb.h"
#include "ep_measure.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline const struct loom_ep_config *ep_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ep_config, &zero);
}

SEC("tc")
int loom_ep_egress(struct __sk_buff *skb)
{
	const struct loom_ep_config *c = ep_cfg();
	struct loom_ep_counters *t = ep_totals();

	if (!c || !t)
		return TC_ACT_OK;
	t->tx_packets++;
	if (c->lb_mode == LOOM_EP_LB_OFF || c->lb_mode >= LOOM_EP_LB_N)
		return TC_ACT_OK;
	return ep_lb_egress(skb, c, t);
}

SEC("tc")
int loom_ep_ingress(struct __sk_buff *skb)
{
	const struct loom_ep_config *c = ep_cfg();
	struct loom_ep_counters *t = ep_totals();
	struct ep_pkt p;

	if (!c || !t)
		return TC_ACT_OK;
	t->rx_packets++;
	if (ep_parse_pull(skb, &p) < 0)
		return TC_ACT_OK;
	if (c->lb_mode == LOOM_EP_LB_REPATH)
		ep_lb_echo(skb, &p, c, t);
	if (c->measure)
		ep_measure(skb, &p, c, t);
	return TC_ACT_OK;
}
