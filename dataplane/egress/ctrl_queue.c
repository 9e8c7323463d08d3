/* SPDX-License-Identifier: BSD-3-Clause */
/* A port's control queue (ctrl_queue.h): made and freed. */
#include <stdio.h>

#include <rte_malloc.h>

#include "ctrl_queue.h"

int egress_ctrlq_create(struct loom_port *p, unsigned int size)
{
	ssize_t ring_size = rte_ring_get_memsize(size);
	struct egress_ctrlq *q;

	if (ring_size < 0)
		return -1;
	q = rte_zmalloc("loom_ctrlq", sizeof(*q) + RTE_CACHE_LINE_SIZE + (size_t)ring_size, RTE_CACHE_LINE_SIZE);
	if (q == NULL)
		return -1;
	/* the ring's memory follows the struct, cache-line aligned */
	q->ring = (struct rte_ring *)RTE_PTR_ALIGN_CEIL(q + 1, RTE_CACHE_LINE_SIZE);
	if (rte_ring_init(q->ring, "loom_ctrlq", size, RING_F_SP_ENQ | RING_F_SC_DEQ) != 0) {
		rte_free(q);
		return -1;
	}
	p->ctrlq = q;
	return 0;
}

void egress_ctrlq_free(struct loom_port *p)
{
	struct rte_mbuf *m;

	if (p->ctrlq == NULL)
		return;
	while (rte_ring_sc_dequeue(p->ctrlq->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_free(p->ctrlq);
	p->ctrlq = NULL;
}
