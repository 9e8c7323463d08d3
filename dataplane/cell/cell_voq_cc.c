/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VOQs of a cell fabric in congestion control: ECN marking by a VOQ's
 * depth, and trimming instead of dropping at a full VOQ.
 *
 * The VOQs toward one egress port stand in for that port's queue: a
 * switch-scheduled fabric keeps its packets at the ingress leaves, so the
 * egress port's own queue stays short and would never mark nor trim, and
 * the senders, told nothing, would fill the VOQs until they drop
 * (voq_full). A VOQ therefore takes its egress port's traffic-manager
 * settings for the packet's class when it is made:
 *   ECN   the class's marking (step or RED) on the VOQ's own depth (its
 *         thresholds raised by the port's bytes of one fabric round trip), or
 *         `cell:`'s ecn_kmin/ecn_kmax (RED, probability 1 at kmax; equal:
 *         a step) when given;
 *   trim  when the class is one of the port's trim.classes, a packet the
 *         full VOQ cannot take is cut to its headers (tm_trim_cut: a valid
 *         IPv4/UDP packet, DSCP trim.dscp) and sent at once, without
 *         credit (cell_ingress.c): the receiver learns of the loss a
 *         fabric crossing later, as NDP's header queue does.
 * Reads: the packet's IP header (ECN bits, DSCP), the egress port's TM
 * configuration (at VOQ creation, and again after each `tm set` on the
 * egress leaf: cell_voq_cc_follow_tm).
 * Sets: CE in the packet; counters per VOQ and per leaf (marks, trims;
 * drops are counted by the caller).
 */
#include <rte_mbuf.h>

#include "loom/traffic/rng.h"
#include "cell_fabric.h"
#include "fabric.h"
#include "pkt_meta.h"
#include "tm.h"

static inline uint32_t cell_rand(struct loom_cell_switch *cs)
{
	return cs->rng = loom_xorshift32(cs->rng);
}

/* The egress port's settings for the class of q->cc.dscp, or `cell:`'s ECN */
static void voq_cc_settings(const struct cell_fabric *fab, struct cell_voq *q, const struct loom_switch *egress)
{
	const struct cell_cfg *c = &fab->cfg;
	const struct loom_port *p = q->dst_port < egress->n_ports ? &egress->ports[q->dst_port] : NULL;
	const struct tm_port *t = p ? p->tm : NULL;

	q->cc.ecn = (struct loom_ecn_cfg){0};
	q->cc.trim = false;
	q->cc.trim_dscp = 0;
	if (t != NULL) {
		uint8_t cls = loom_dscp_to_class(&t->cfg.dscp, q->cc.dscp);

		if (cls < t->n_classes) {
			/* A VOQ fed at its share of the port holds, besides what
			 * would be the port's queue, the packets waiting for the
			 * credits of one fabric round trip (request out, credit
			 * back): marking from the port's own thresholds, a sender
			 * at line rate would be marked for that alone (issue 23's
			 * 16 MB permutation: 27416 marks, 3.24 x ideal). */
			uint64_t rtt = egress->cell ? egress->cell->ports[q->dst_port].rtt_bytes : 0;

			q->cc.ecn = t->q[cls].ecn;
			q->cc.ecn.k_bytes = (uint32_t)RTE_MIN(UINT32_MAX, q->cc.ecn.k_bytes + rtt);
			q->cc.ecn.kmin_bytes = (uint32_t)RTE_MIN(UINT32_MAX, q->cc.ecn.kmin_bytes + rtt);
			q->cc.ecn.kmax_bytes = (uint32_t)RTE_MIN(UINT32_MAX, q->cc.ecn.kmax_bytes + rtt);
			q->cc.trim = (t->cfg.trim & (1u << cls)) != 0;
			q->cc.trim_dscp = t->cfg.trim_dscp;
		}
	}
	if (c->ecn_kmax) {
		q->cc.ecn = (struct loom_ecn_cfg){.mode = c->ecn_kmin == c->ecn_kmax ? LOOM_ECN_MODE_STEP : LOOM_ECN_MODE_RED,
						  .k_bytes = (uint32_t)c->ecn_kmin, .kmin_bytes = (uint32_t)c->ecn_kmin,
						  .kmax_bytes = (uint32_t)c->ecn_kmax, .pmax = LOOM_ECN_P_ONE};
	}
}

void cell_voq_cc_init(struct loom_switch *sw, struct cell_voq *q, const struct loom_switch *egress, uint8_t dscp)
{
	q->cc = (struct cell_voq_cc){0};
	loom_ecn_state_init(&q->cc.ecn_st);
	q->cc.dscp = dscp;
	voq_cc_settings(sw->cell->fab, q, egress);
}

void cell_voq_cc_follow_tm(const struct loom_switch *egress)
{
	const struct cell_fabric *fab = egress->cell ? egress->cell->fab : NULL;
	uint16_t leaf = egress->cell ? egress->cell->leaf : CELL_NO_LEAF;

	if (!fab || leaf == CELL_NO_LEAF)
		return;
	/* the VOQs toward `leaf` at every leaf: one run of slots each
	 * (cell_ingress.c voq_index: leaf, then port, then class) */
	for (uint16_t l = 0; l < fab->n_leaves; l++) {
		const struct loom_cell_switch *cs = fab->fabric->switches[fab->leaf_switch[l]].cell;
		uint32_t run = (uint32_t)fab->max_ports * fab->cfg.n_classes;

		for (uint32_t i = (uint32_t)leaf * run; cs && cs->voq && i < (uint32_t)(leaf + 1) * run &&
							  i < cs->n_voq_slots; i++)
			if (cs->voq[i])
				voq_cc_settings(fab, cs->voq[i], egress);
	}
}

void cell_voq_cc_admit(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m,
		       const struct loom_pkt_meta *meta, loom_time_ns now)
{
	uint8_t *ip;
	uint8_t ecn;
	bool v6;

	if (q->cc.ecn.mode == LOOM_ECN_MODE_NONE)
		return;
	v6 = meta->l3_kind == LOOM_L3_IPV6;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
	ecn = v6 ? (uint8_t)(ip[1] >> 4 & 3) : (uint8_t)(ip[1] & 3);
	/* judged on the depth the packet finds (it is already counted in) */
	if (loom_ecn_decide(&q->cc.ecn_st, &q->cc.ecn, (uint32_t)(q->acct.bytes - rte_pktmbuf_pkt_len(m)), ecn != 0,
			    cell_rand(sw->cell), now) == LOOM_ECN_ENQUEUE_MARK &&
	    ecn != 3) {
		tm_set_ce(ip, v6);
		q->cc.marked++;
		sw->cell->c.voq_marked++;
	}
}

bool cell_voq_cc_trim(struct loom_switch *sw, struct cell_voq *q, struct rte_mbuf *m,
		      const struct loom_pkt_meta *meta)
{
	if (!q->cc.trim || meta->l3_kind != LOOM_L3_IPV4 || !tm_trim_cut(m, meta->l3_off, q->cc.trim_dscp))
		return false;
	q->cc.trimmed++;
	sw->cell->c.voq_trimmed++;
	return true;
}

void cell_voq_cc_empty(struct cell_voq *q, loom_time_ns now)
{
	if (q->cc.ecn.mode != LOOM_ECN_MODE_NONE)
		loom_ecn_queue_empty(&q->cc.ecn_st, now);
}
