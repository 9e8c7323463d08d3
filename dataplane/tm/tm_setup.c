/* SPDX-License-Identifier: BSD-3-Clause */
/* Traffic manager state of a switch and its ports: creation, run-time changes. */
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "page_arena.h"
#include "pkt_drop.h"
#include "tm.h"

/* PFC frames in flight (built at transmit, freed by the wire): a few per
 * port at most, each on its link for a delay; one pool for every switch
 * (a pool per switch took three DPDK memzones each, of 2560 in all). */
#define TM_CTRL_POOL_MIN 511
#define TM_CTRL_PER_PORT 2
#define TM_CTRL_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 128)

struct rte_mempool *tm_ctrl_pool_create(uint32_t n_ports)
{
	return rte_pktmbuf_pool_create("tm_ctrl", TM_CTRL_POOL_MIN + TM_CTRL_PER_PORT * n_ports, 0, 0,
				       TM_CTRL_DATA_ROOM, SOCKET_ID_ANY);
}

int tm_switch_create(struct loom_switch *sw, const struct loom_tm_cfg *cfg, unsigned int id,
		     struct rte_mempool *ctrl_pool)
{
	struct tm_switch *ts = rte_zmalloc("loom_tm_switch", sizeof(*ts), RTE_CACHE_LINE_SIZE);

	if (!ts)
		return -1;
	ts->ctrl_pool = ctrl_pool;
	ts->buffer_bytes = cfg->buffer_bytes;
	ts->alpha_log2 = cfg->alpha_log2;
	loom_buffer_init(&ts->buf, cfg->buffer_bytes);
	ts->rng = 0x9e3779b9u ^ (id * 2654435761u);
	if (ts->rng == 0)
		ts->rng = 1;
	sw->tm = ts;
	return 0;
}

int tm_switch_reserve(struct loom_switch *sw)
{
	if (!sw->tm || sw->tm->reserve)
		return 0;
	sw->tm->reserve = tm_queue_reserve_create(sw->tm->buffer_bytes);
	return sw->tm->reserve ? 0 : -1;
}

void tm_switch_free(struct loom_switch *sw)
{
	if (!sw->tm)
		return;
	tm_queue_reserve_free(sw->tm->reserve); /* after tm_port_free of its ports */
	rte_free(sw->tm); /* the control pool is the fabric's (tm_ctrl_pool_create) */
	sw->tm = NULL;
}

void tm_port_apply(struct loom_port *p, loom_time_ns now)
{
	struct tm_port *t = p->tm;
	struct loom_qsched_cfg qc;
	uint32_t burst = loom_tm_burst(&t->cfg, t->rate_bps);

	if (t->rate_bps) {
		if (t->shaper.rate_bps == 0 && t->shaper.cap == 0)
			loom_shaper_init(&t->shaper, t->rate_bps, burst, now);
		else {
			loom_shaper_set_rate(&t->shaper, t->rate_bps, now);
			loom_shaper_set_burst(&t->shaper, burst, now);
		}
	}
	loom_tm_qsched_cfg(&t->cfg, &qc);
	/* A new scheduler configuration starts new DRR rounds; the queues
	 * rejoin the active list on the next select. */
	loom_qsched_init(&t->qs, &qc);
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		t->q[c].limit = loom_tm_queue_limit(&t->cfg, c, p->mtu);
		loom_tm_class_ecn(&t->cfg, c, t->rate_bps ? t->rate_bps : p->rate_bps, &t->q[c].ecn);
	}
	t->pfc_cfg = t->cfg.pfc;
	t->pfc_cfg.refresh_ns = loom_pfc_refresh_default(t->cfg.pfc.pause_quanta, t->rate_bps ? t->rate_bps : p->rate_bps);
	if (t->pfc_cfg.refresh_ns == LOOM_TIME_NEVER)
		t->pfc_cfg.refresh_ns = 0;
}

int tm_port_create(struct loom_port *p, const struct loom_tm_cfg *cfg, uint64_t rate_scaled, loom_time_ns now)
{
	struct tm_port *t = rte_zmalloc("loom_tm_port", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (!t)
		return -1;
	t->cfg = *cfg;
	t->n_classes = cfg->n_classes;
	t->rate_bps = rate_scaled;
	/* The class queues' arrays (a page of packet pointers each, their
	 * lengths four classes a page) cost memory only where packets were
	 * queued: a class no traffic uses, nothing (core/page_arena.h). */
	uint8_t *pkts = loom_page_arena_alloc(&loom_queue_arena, sizeof(struct rte_mbuf *) * TM_PORT_PKTS * LOOM_TM_CLASSES);
	uint8_t *lens = loom_page_arena_alloc(&loom_queue_arena, sizeof(uint16_t) * TM_PORT_PKTS * LOOM_TM_CLASSES);

	if (!pkts || !lens) {
		rte_free(t);
		return -1;
	}
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		t->q[c].pkts = (struct rte_mbuf **)(pkts + sizeof(struct rte_mbuf *) * TM_PORT_PKTS * c);
		t->q[c].lens = (uint16_t *)(lens + sizeof(uint16_t) * TM_PORT_PKTS * c);
		t->q[c].mask = TM_PORT_PKTS - 1;
		t->q[c].pkts_first = t->q[c].pkts;
		t->q[c].lens_first = t->q[c].lens;
		loom_ecn_state_init(&t->q[c].ecn_st);
		loom_pfc_hold_init(&t->q[c].hold);
		loom_pfc_wd_init(&t->q[c].wd);
		loom_pfc_state_init(&t->pfc[c]);
	}
	p->tm = t;
	tm_port_apply(p, now);
	return 0;
}

int tm_queue_grow(struct tm_switch *ts, struct tm_queue *q)
{
	uint32_t n = q->mask + 1;
	struct rte_mbuf **pkts;
	uint16_t *lens;

	if (ts->reserve) /* real time: the worker never allocates */
		return tm_queue_reserve_grow(ts->reserve, q);
	if (n > UINT32_MAX / 2)
		return -1;
	/* rte_malloc: the queue's arrays are DPDK memory like the rest of the TM */
	pkts = rte_malloc("loom_tm_queue", sizeof(*pkts) * 2 * n, RTE_CACHE_LINE_SIZE);
	lens = rte_malloc("loom_tm_lens", sizeof(*lens) * 2 * n, RTE_CACHE_LINE_SIZE);
	if (!pkts || !lens) {
		rte_free(pkts);
		rte_free(lens);
		return -1;
	}
	for (uint32_t i = 0; i < q->count; i++) {
		pkts[i] = q->pkts[(q->head + i) & q->mask];
		lens[i] = q->lens[(q->head + i) & q->mask];
	}
	if (q->heap) {
		rte_free(q->pkts);
		rte_free(q->lens);
	}
	q->pkts = pkts;
	q->lens = lens;
	q->heap = true;
	q->head = 0;
	q->mask = 2 * n - 1;
	q->st.grows++;
	ts->heap_grows++;
	return 0;
}

void tm_port_free(struct loom_port *p)
{
	struct tm_port *t = p->tm;

	if (!t)
		return;
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		struct tm_queue *q = &t->q[c];

		for (uint32_t i = 0; q->pkts && i < q->count; i++)
			rte_pktmbuf_free(q->pkts[(q->head + i) & q->mask]);
		if (q->heap) { /* grown on the heap: its own arrays */
			rte_free(q->pkts);
			rte_free(q->lens);
		}
	} /* the first arrays go with loom_queue_arena, with the fabric; a
	   * block of the switch's reserve with the reserve (tm_switch_free) */
	rte_free(t);
	p->tm = NULL;
}
