/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CONGA's forwarding (conga_switch.h): the native stages (route, TTL, member,
 * MACs) with the overlay around the member choice. Reads: the packet's
 * IPv4 header and its CONGA option, the directory (destination host ->
 * leaf), the switch's tables and DREs. Sets, per switch role:
 *
 *   leaf, packet from the fabric with the option: records (source leaf,
 *       LBTag) -> CE in the from-leaf table, takes (FB_LBTag, FB_Metric)
 *       into the to-leaf table, and removes the option before the host.
 *   leaf, packet into the fabric to another leaf's host: the group's
 *       policy sees that leaf's fed-back metrics (lb_env.conga.remote);
 *       the option goes in with LBTag = the member taken, CE = 0, and one
 *       from-leaf entry for the destination leaf fed back.
 *   every hop (the source leaf's uplink too): CE = max(CE, the egress
 *       link's DRE metric); every packet sent counts in its link's DRE.
 *
 * The IPv4 fast path is off in this mode (options are not its case, and
 * every packet to another leaf is rewritten).
 */
#include <string.h>

#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "conga_switch.h"
#include "egress_batch.h"
#include "lb_switch.h"
#include "loom/lb/flow_hash.h"
#include "pkt_drop.h"
#include "stages.h"

/* The packet's CONGA option (first option of an IPv4 header of 28 bytes). */
static struct conga_opt *opt_of(struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	if (meta->l3_kind != LOOM_L3_IPV4)
		return NULL;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l3_off);
	struct conga_opt *o = (struct conga_opt *)(ip + 1);

	if (rte_ipv4_hdr_len(ip) != sizeof(*ip) + CONGA_OPT_LEN || o->type != CONGA_OPT_TYPE || o->len != CONGA_OPT_LEN)
		return NULL;
	return o;
}

static void ip_fix(struct rte_mbuf *m, uint16_t l3_off)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The option in after the IPv4 header: the headers move 8 bytes into the
 * headroom. NULL when there is none (or the header has options already). */
static struct conga_opt *opt_insert(struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l3_off);
	uint16_t head = (uint16_t)(meta->l3_off + sizeof(*ip));

	if (rte_ipv4_hdr_len(ip) != sizeof(*ip) || rte_pktmbuf_headroom(m) < CONGA_OPT_LEN)
		return NULL;
	uint8_t *d = (uint8_t *)rte_pktmbuf_prepend(m, CONGA_OPT_LEN);

	memmove(d, d + CONGA_OPT_LEN, head);
	ip = (struct rte_ipv4_hdr *)(d + meta->l3_off);
	ip->version_ihl = (uint8_t)(0x40 | ((sizeof(*ip) + CONGA_OPT_LEN) / 4));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) + CONGA_OPT_LEN));
	return (struct conga_opt *)(ip + 1);
}

/* The option out: the headers move back over it. */
static void opt_remove(struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t head = (uint16_t)(meta->l3_off + sizeof(struct rte_ipv4_hdr));

	memmove(d + CONGA_OPT_LEN, d, head);
	rte_pktmbuf_adj(m, CONGA_OPT_LEN);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l3_off);

	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) - CONGA_OPT_LEN));
	ip_fix(m, meta->l3_off);
}

/* The leaf of the packet's destination host, or CONGA_NO_LEAF. */
static uint16_t dst_leaf(const struct loom_conga_switch *cs, const struct loom_pkt_meta *meta)
{
	void *data;

	if (meta->l3_kind != LOOM_L3_IPV4 || rte_hash_lookup_data(cs->fab->dir4, meta->key.dst, &data) < 0)
		return CONGA_NO_LEAF;
	return cs->fab->dir_leaf[(uintptr_t)data];
}

/* A packet from another leaf: what it brought into the tables. */
static void learn(struct loom_conga_switch *cs, const struct conga_opt *o, loom_time_ns now)
{
	uint16_t src = rte_be_to_cpu_16(o->src_leaf);

	if (src >= cs->fab->n_leaves)
		return;
	lb_conga_from_leaf_record(&cs->from_leaf, src, o->lbtag, o->ce, now);
	if (o->fb_tag != LB_CONGA_NO_TAG && o->fb_tag < LB_CONGA_TAGS) {
		lb_conga_to_leaf_set(&cs->to_leaf, src, o->fb_tag, o->fb_metric, now);
		cs->c.feedback_received++;
	}
}

void conga_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
		   const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now)
{
	struct loom_conga_switch *cs = sw->conga;
	uint32_t groups[LOOM_BURST];
	struct egress_batch eg[LOOM_BURST];
	uint8_t slot[sw->n_ports];
	uint16_t n_eg = 0;
	struct member_tables t;
	uint8_t remote[LB_CONGA_TAGS];

	memset(slot, 0xff, sw->n_ports);
	ip_route_lookup_burst(sw, meta, n, groups);
	member_tables_load(sw, &t);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct loom_pkt_meta *md = meta[i];
		enum loom_drop_reason r = LOOM_DROP_NO_ROUTE;

		if (groups[i] != LOOM_GROUP_NONE)
			r = ip_ttl_decrement(m, md);
		if (r != LOOM_DROP_NONE) {
			pkt_drop(in, m, r);
			continue;
		}
		struct conga_opt *o = opt_of(m, md);
		const struct loom_group *grp = &t.groups[groups[i]];
		uint16_t to_leaf = CONGA_NO_LEAF;

		if (o && cs->leaf != CONGA_NO_LEAF && !in->host_facing)
			learn(cs, o, now);
		if (!o && cs->leaf != CONGA_NO_LEAF && in->host_facing) {
			to_leaf = dst_leaf(cs, md);
			if (to_leaf == cs->leaf)
				to_leaf = CONGA_NO_LEAF;
		}
		uint32_t len = rte_pktmbuf_pkt_len(m), hash = 0;
		if (grp->n_members > 1)
			hash = loom_flow_hash_inline(&md->key, loom_flow_hash_label_seed(sw->hash_seed,
											  md->key.flow_label &
												  sw->hash_flow_label_mask));
		if (to_leaf != CONGA_NO_LEAF) {
			lb_conga_to_leaf_row(&cs->to_leaf, to_leaf, grp->n_members < LB_CONGA_TAGS ? grp->n_members
												     : LB_CONGA_TAGS,
					     now, cs->age_ns, remote);
			cs->view.remote = remote;
		}
		uint32_t member = member_choose(sw, grp, groups[i], hash, len, now, false, 0);
		cs->view.remote = NULL;
		const struct loom_nexthop *nh = &t.nexthops[t.members[member]];
		const struct loom_port *out = &sw->ports[nh->port];

		if (o && out->host_facing) {
			opt_remove(m, md);
			cs->c.untagged++;
			o = NULL;
		} else if (to_leaf != CONGA_NO_LEAF && !out->host_facing) {
			uint32_t tag = member - grp->first;

			o = tag < LB_CONGA_TAGS ? opt_insert(m, md) : NULL;
			if (o) {
				*o = (struct conga_opt){.type = CONGA_OPT_TYPE, .len = CONGA_OPT_LEN,
							.src_leaf = rte_cpu_to_be_16(cs->leaf), .lbtag = (uint8_t)tag,
							.fb_tag = LB_CONGA_NO_TAG};
				if (lb_conga_from_leaf_next(&cs->from_leaf, to_leaf, &o->fb_tag, &o->fb_metric))
					cs->c.feedback_sent++;
				cs->c.tagged++;
			} else {
				cs->c.no_room++;
			}
		}
		len = rte_pktmbuf_pkt_len(m);
		if (o) {
			uint8_t dre = lb_conga_dre_metric(&cs->view.dre[nh->port], cs->view.dre_period_ns, out->rate_bps, now);

			if (dre > o->ce) {
				o->ce = dre;
				cs->c.ce_raised++;
			}
			ip_fix(m, md->l3_off);
		}
		lb_conga_dre_add(&cs->view.dre[nh->port], cs->view.dre_period_ns, len, now);
		t.c[member].packets++;
		t.c[member].bytes += len;
		eth_rewrite(m, nh);
		n_eg = egress_batch_add(eg, slot, n_eg, nh->port, m, NULL);
	}
	egress_batch_output(sw, in, eg, n_eg, false, now);
}

const struct loom_switch_mode conga_mode = {
	.name = "conga",
	.forward = conga_forward,
	.fast_path = false,
	.cut_through = true,
};
