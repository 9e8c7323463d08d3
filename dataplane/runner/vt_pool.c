/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual-time run's mbuf pool, grown on demand: vt_pool.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>

#include "egress.h"
#include "gen_host.h"
#include "loom/frame.h"
#include "vt_pool.h"

uint32_t loom_vt_pool_cap(uint64_t n_switch_ports, uint64_t n_gen_hosts, unsigned int outq_size)
{
	uint64_t n = n_switch_ports * (outq_size + LOOM_VT_LINK_MBUFS) + n_gen_hosts * 4 + 1024;

	return n > LOOM_VT_POOL_MAX ? LOOM_VT_POOL_MAX : (uint32_t)n;
}

/* opaque: the mapping's length (the objects' and the slack after them) */
static void chunk_unmap(struct rte_mempool_memhdr *memhdr, void *opaque)
{
	munmap(memhdr->addr, (size_t)(uintptr_t)opaque);
}

struct new_range {
	const char *lo, *hi;
	uint16_t buf_len;
	bool no_headroom;
};

/* rte_pktmbuf_init for the objects of the chunk just added only (the
 * others may be in use); then each buffer is said to be as long as the
 * run's largest frame needs (see LOOM_VT_STORED_FRAME), and with short
 * buffers its headroom is the mbuf's own header (LOOM_VT_NO_HEADROOM). */
static void init_new(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	const struct new_range *r = arg;
	struct rte_mbuf *m = obj;

	if ((const char *)obj >= r->lo && (const char *)obj < r->hi) {
		rte_pktmbuf_init(mp, NULL, obj, idx);
		m->buf_len = r->buf_len;
		if (r->no_headroom)
			m->buf_addr = (char *)m + sizeof(*m) - RTE_PKTMBUF_HEADROOM;
	}
}

/* Add n mbufs. 0, or -1 (no memory). */
static int add_mbufs(struct loom_vt_pool *vp, uint32_t n)
{
	struct rte_mempool *mp = vp->mp;
	size_t len = (size_t)n * vp->elt_bytes + RTE_MEMPOOL_ALIGN;
	/* the last buffer's frame runs on past the objects: mapped, never written */
	char *mem = mmap(NULL, len + vp->buf_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int added;

	if (mem == MAP_FAILED)
		return -1;
	added = rte_mempool_populate_iova(mp, mem, RTE_BAD_IOVA, len, chunk_unmap,
					  (void *)(uintptr_t)(len + vp->buf_len));
	if (added <= 0) {
		munmap(mem, len + vp->buf_len);
		return -1;
	}
	rte_mempool_obj_iter(mp, init_new, &(struct new_range){.lo = mem, .hi = mem + len + vp->buf_len,
								 .buf_len = vp->buf_len, .no_headroom = vp->data_at == sizeof(struct rte_mbuf)});
	vp->populated += (uint32_t)added;
	return 0;
}

/* What a packet of the run needs: the largest frame a generator host
 * builds (its flows' frames; feedback, ARP replies and PFC frames are
 * smaller), in whole cache lines; the switches never grow a packet. A
 * cell fabric rebuilds packets into mbufs of its own pool's kind:
 * DPDK's default there at least (larger for jumbo frames). */
static unsigned int data_room(const struct loom_fabric *f)
{
	unsigned int max = 128;

	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		for (uint32_t i = 0; i < f->gen_hosts[h].n_tx; i++)
			max = RTE_MAX(max, (unsigned int)f->gen_hosts[h].tx[i].frame_bytes);
	if (f->cell) /* and at least DPDK's default (jumbo frames: larger) */
		return RTE_MAX((unsigned int)RTE_MBUF_DEFAULT_DATAROOM, (unsigned int)RTE_ALIGN_CEIL(max, RTE_CACHE_LINE_SIZE));
	return RTE_ALIGN_CEIL(max, RTE_CACHE_LINE_SIZE);
}

/* Whether packets may keep only their first LOOM_VT_STORED_FRAME bytes:
 * generator hosts write their headers and their own 32 bytes after them,
 * never the rest (gen_host.c: "The payload after the generator's header
 * is not written"), and the native stages and the traffic manager read
 * and write headers only. Not in a cell fabric (cells copy whole
 * packets) nor with a P4 switch (its program may read further). */
static bool short_buffers(const struct loom_fabric *f)
{
	if (f->cell || f->conga) /* CONGA inserts its option into the headroom */
		return false;
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (f->switches[s].p4)
			return false;
	return true;
}

int loom_vt_pool_create(struct loom_vt_pool *vp, const struct loom_fabric *f, char *err, size_t errlen)
{
	struct rte_pktmbuf_pool_private priv = {0};
	uint64_t n_ports = 0, n_links = 0;

	memset(vp, 0, sizeof(*vp));
	for (uint16_t s = 0; s < f->n_switches; s++)
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++) {
			n_ports += f->links[s][p].kind != LOOM_LINK_NONE;
			n_links += f->links[s][p].kind != LOOM_LINK_NONE;
		}
	vp->cap = loom_vt_pool_cap(n_ports, f->n_gen_hosts, LOOM_OUTQ_SIZE);
	/* A start: a few packets per link direction and per host; doubling
	 * reaches what the run needs in a few steps. */
	vp->initial = (uint32_t)RTE_MIN((uint64_t)vp->cap, 4 * n_links + 4 * (uint64_t)f->n_gen_hosts + 1024);
	vp->buf_len = (uint16_t)(RTE_PKTMBUF_HEADROOM + data_room(f));
	vp->stored = short_buffers(f) ? (uint16_t)(RTE_PKTMBUF_HEADROOM + LOOM_VT_STORED_FRAME) : vp->buf_len;
	priv.mbuf_data_room_size = vp->stored;
	priv.mbuf_priv_size = 0;
	/* short buffers keep no headroom of their own (LOOM_VT_NO_HEADROOM):
	 * 128 bytes less a packet */
	vp->data_at = (uint16_t)(sizeof(struct rte_mbuf) + (short_buffers(f) ? 0 : RTE_PKTMBUF_HEADROOM));
	vp->mp = rte_mempool_create_empty("loom_vt_mbufs", vp->cap,
					  vp->data_at + priv.mbuf_data_room_size - RTE_PKTMBUF_HEADROOM,
					  256, sizeof(priv), SOCKET_ID_ANY, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	/* Free mbufs on a stack (DPDK's "stack" mempool driver), not a ring:
	 * the ring's head walks through every slot of its cap (4 Mi, 32 MB
	 * all resident after a long run), a stack's top only as deep as the
	 * free mbufs; and the mbuf freed last, still in the caches, is the
	 * next one taken. The ring when the driver is not there. */
	vp->on_stack = vp->mp && rte_mempool_set_ops_byname(vp->mp, "stack", NULL) == 0;
	if (vp->mp && !vp->on_stack &&
	    rte_mempool_set_ops_byname(vp->mp, rte_mbuf_best_mempool_ops(), NULL) != 0) {
		rte_mempool_free(vp->mp);
		vp->mp = NULL;
	}
	if (!vp->mp) {
		snprintf(err, errlen, "cannot create the mbuf pool (%u mbufs at most): %s", vp->cap,
			 rte_strerror(rte_errno));
		loom_vt_pool_free(vp);
		return -1;
	}
	rte_pktmbuf_pool_init(vp->mp, &priv);
	vp->elt_bytes = vp->mp->header_size + vp->mp->elt_size + vp->mp->trailer_size;
	if (add_mbufs(vp, vp->initial) < 0) {
		snprintf(err, errlen, "cannot allocate %u mbufs", vp->initial);
		loom_vt_pool_free(vp);
		return -1;
	}
	return 0;
}

int loom_vt_pool_grow(void *arg)
{
	struct loom_vt_pool *vp = arg;
	/* a sixteenth more: at most that much more than the run needed
	 * (every mbuf added is written, its header initialised, so resident);
	 * a step costs a walk over the pool's objects, ~40 steps to k=16's
	 * 300 000 */
	uint32_t n = RTE_MIN(RTE_MAX(vp->populated / 16, 4096u), vp->cap - vp->populated);

	if (n == 0 || add_mbufs(vp, n) < 0)
		return 0;
	vp->grows++;
	return 1;
}

size_t loom_vt_pool_bytes(const struct loom_vt_pool *vp)
{
	return (size_t)vp->populated * vp->elt_bytes;
}

void loom_vt_pool_free(struct loom_vt_pool *vp)
{
	rte_mempool_free(vp->mp); /* its chunks: chunk_unmap */
	vp->mp = NULL;
}
