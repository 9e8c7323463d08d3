/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's multi-plane NIC (see gen_plane.h): the plane of each
 * packet, its addresses, per-plane counters, congestion and carrier.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "gen_plane.h"
#include "gen_state.h"
#include "loom/sim/link.h"

#define CONGESTION_GAIN_SHIFT 4                  /* EWMA gain 1/16 */
#define CONGESTION_DECAY_NS 55000u               /* DCQCN's alpha timer */
#define WEIGHT_FLOOR (LOOM_GEN_CONGESTION_ONE / 16) /* a congested plane still gets probes */

static const char *const spread_names[] = {
	[LOOM_GEN_SPREAD_FLOW] = "flow",
	[LOOM_GEN_SPREAD_FLOWLET] = "flowlet",
	[LOOM_GEN_SPREAD_PACKET] = "packet",
	[LOOM_GEN_SPREAD_WEIGHTED] = "weighted",
};

int loom_gen_plane_spread_parse(const char *s)
{
	for (unsigned int i = 0; i < RTE_DIM(spread_names); i++)
		if (strcmp(s, spread_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *loom_gen_plane_spread_name(int spread)
{
	return spread >= 0 && spread < (int)RTE_DIM(spread_names) ? spread_names[spread] : "?";
}

/* The first plane up at or after k (cyclically); k when none is. */
static unsigned int next_up(const struct loom_gen_nic *nic, unsigned int k)
{
	for (unsigned int i = 0; i < nic->n_planes; i++) {
		unsigned int p = (k + i) % nic->n_planes;

		if (nic->plane[p].up)
			return p;
	}
	return k % nic->n_planes;
}

static int64_t weight(const struct loom_gen_plane *p)
{
	uint32_t w = LOOM_GEN_CONGESTION_ONE - p->congestion;

	return w < WEIGHT_FLOOR ? WEIGHT_FLOOR : w;
}

/* Flowlets: the plane whose link frees first; ties, the first after
 * the flow's current one (so an idle NIC moves each flowlet on). */
static unsigned int least_busy(const struct loom_gen_nic *nic, unsigned int cur)
{
	int best = -1;

	for (unsigned int i = 1; i <= nic->n_planes; i++) {
		unsigned int p = (cur + i) % nic->n_planes;

		if (nic->plane[p].up && (best < 0 || nic->plane[p].link_free < nic->plane[best].link_free))
			best = (int)p;
	}
	return best < 0 ? cur : (unsigned int)best;
}

unsigned int loom_gen_plane_pick(const struct loom_gen_host *h, const struct loom_gen_tx_flow *f, loom_time_ns start)
{
	const struct loom_gen_nic *nic = h->nic;
	const struct loom_gen_flow_planes *fp = f->planes;
	int best = -1;
	int64_t best_w = 0;

	switch (nic->spread) {
	case LOOM_GEN_SPREAD_FLOWLET:
		if (fp->last_tx != LOOM_TIME_NEVER && start - fp->last_tx < nic->flowlet_gap_ns &&
		    nic->plane[fp->cur].up)
			return fp->cur;
		return least_busy(nic, fp->cur);
	case LOOM_GEN_SPREAD_PACKET:
		return next_up(nic, (fp->cur + 1u) % nic->n_planes);
	case LOOM_GEN_SPREAD_WEIGHTED:
		/* smooth weighted round robin (nginx's): the plane whose
		 * current weight plus its weight is largest; ties, the lowest */
		for (unsigned int p = 0; p < nic->n_planes; p++) {
			int64_t w;

			if (!nic->plane[p].up)
				continue;
			w = fp->p[p].wrr + weight(&nic->plane[p]);
			if (best < 0 || w > best_w) {
				best = (int)p;
				best_w = w;
			}
		}
		return best < 0 ? fp->cur : (unsigned int)best;
	case LOOM_GEN_SPREAD_FLOW:
	default:
		return next_up(nic, f->spec.id % nic->n_planes);
	}
}

/* Frame m leaves over plane pl of host h, to `dst` (network order). */
static void readdress(const struct loom_gen_host *h, unsigned int pl, struct rte_mbuf *m, uint32_t dst)
{
	const struct loom_gen_plane *p = &h->nic->plane[pl];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	eth->src_addr = p->mac;
	eth->dst_addr = p->gw_mac;
	ip->src_addr = p->ipv4;
	ip->dst_addr = dst;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void plane_busy(struct loom_gen_host *h, unsigned int pl, uint32_t len, loom_time_ns start)
{
	struct loom_gen_plane *p = &h->nic->plane[pl];

	p->link_free = start + loom_link_serialization_ns(len, p->rate_bps);
	p->tx_packets++;
	p->tx_bytes += len;
	if (p->last_feedback <= start && start - p->last_feedback >= CONGESTION_DECAY_NS) {
		p->congestion -= p->congestion >> CONGESTION_GAIN_SHIFT;
		p->last_feedback = start;
	}
	h->nic->last_plane = (uint8_t)pl;
}

void loom_gen_plane_sent(struct loom_gen_host *h, struct loom_gen_tx_flow *f, unsigned int pl, struct rte_mbuf *m,
			 loom_time_ns start)
{
	struct loom_gen_nic *nic = h->nic;
	struct loom_gen_flow_planes *fp = f->planes;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (nic->spread == LOOM_GEN_SPREAD_WEIGHTED) {
		int64_t total = 0;

		for (unsigned int p = 0; p < nic->n_planes; p++)
			if (nic->plane[p].up) {
				fp->p[p].wrr += weight(&nic->plane[p]);
				total += weight(&nic->plane[p]);
			}
		fp->p[pl].wrr -= total;
	}
	fp->cur = (uint8_t)pl;
	fp->last_tx = start;
	if (pl != 0) /* build_packet wrote plane 0's */
		readdress(h, pl, m, fp->p[pl].dst_ipv4);
	fp->p[pl].packets++;
	fp->p[pl].bytes += len;
	if (fp->p[pl].first == LOOM_TIME_NEVER)
		fp->p[pl].first = start;
	fp->p[pl].last = start;
	plane_busy(h, pl, len, start);
}

void loom_gen_plane_feedback_sent(struct loom_gen_host *h, const struct loom_gen_feedback *fb, struct rte_mbuf *m,
				  loom_time_ns start)
{
	const struct loom_gen_rx_flow *r = &h->rx[fb->rx_slot];

	if (fb->plane != 0)
		readdress(h, fb->plane, m, r->planes->p[fb->plane].src_ipv4);
	plane_busy(h, fb->plane, rte_pktmbuf_pkt_len(m), start);
}

int loom_gen_plane_of(const struct loom_gen_host *h, uint32_t ipv4)
{
	for (unsigned int p = 0; p < h->nic->n_planes; p++)
		if (h->nic->plane[p].ipv4 == ipv4)
			return (int)p;
	return -1;
}

void loom_gen_plane_rx(struct loom_gen_host *h, struct loom_gen_rx_flow *r, unsigned int pl, uint32_t wire,
		       bool reordered, loom_time_ns now)
{
	struct loom_gen_flow_plane *p = &r->planes->p[pl];

	p->packets++;
	p->bytes += wire;
	p->reordered += reordered;
	if (p->first == LOOM_TIME_NEVER)
		p->first = now;
	p->last = now;
	h->nic->plane[pl].rx_packets++;
	h->nic->plane[pl].rx_bytes += wire;
}

void loom_gen_plane_on_feedback(struct loom_gen_host *h, unsigned int pl, bool marked, loom_time_ns now)
{
	struct loom_gen_plane *p = &h->nic->plane[pl];

	p->rx_feedback++;
	p->rx_marked += marked;
	if (marked)
		p->congestion += (LOOM_GEN_CONGESTION_ONE - p->congestion) >> CONGESTION_GAIN_SHIFT;
	else
		p->congestion -= p->congestion >> CONGESTION_GAIN_SHIFT;
	p->last_feedback = now;
}

int loom_gen_plane_carrier(struct loom_gen_host *h, unsigned int pl, bool up)
{
	struct loom_gen_plane *p = &h->nic->plane[pl];

	if (p->up == up)
		return 0;
	p->up = up;
	p->carrier_losses += !up;
	return 1;
}
