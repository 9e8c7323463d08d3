/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of other interfaces in an af_packet port's receive ring
 * (port_ring_foreign.h).
 */
#include "port_ring_foreign.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_mbuf.h>

/* DPDK 22.11's af_packet defaults (DFLT_FRAME_SIZE, DFLT_FRAME_COUNT; the
 * block is a page) for what the devargs leave out. */
#define AFP_FRAME_SIZE 2048u
#define AFP_FRAME_COUNT 512u

struct ring_geometry {
	unsigned int frame_size, frame_count, block_size, frames_per_block;
	size_t map_len; /* the receive and the transmit ring, as the driver maps them */
};

static unsigned int kv_uint(const struct rte_kvargs *kv, const char *key, unsigned int dflt)
{
	const char *v = kv ? rte_kvargs_get(kv, key) : NULL;

	return v ? (unsigned int)strtoul(v, NULL, 10) : dflt;
}

/* The ring as the driver computed it from the same devargs. */
static int ring_geometry(const char *devargs, struct ring_geometry *g, char *err, size_t errlen)
{
	const char *args = strchr(devargs, ',');
	struct rte_kvargs *kv = args ? rte_kvargs_parse(args + 1, NULL) : NULL;
	unsigned int qpairs, blocks;

	if (args && !kv) {
		snprintf(err, errlen, "cannot read the devargs '%s'", devargs);
		return -1;
	}
	g->frame_size = kv_uint(kv, "framesz", AFP_FRAME_SIZE);
	g->frame_count = kv_uint(kv, "framecnt", AFP_FRAME_COUNT);
	g->block_size = kv_uint(kv, "blocksz", (unsigned int)getpagesize());
	qpairs = kv_uint(kv, "qpairs", 1);
	rte_kvargs_free(kv);
	if (qpairs != 1 || !g->frame_size || g->frame_size > g->block_size) {
		snprintf(err, errlen, "an af_packet port of one queue pair and frames within a block expected: '%s'",
			 devargs);
		return -1;
	}
	g->frames_per_block = g->block_size / g->frame_size;
	blocks = g->frame_count / g->frames_per_block;
	g->map_len = 2 * (size_t)g->block_size * blocks;
	return 0;
}

static const struct tpacket2_hdr *slot(const uint8_t *map, const struct ring_geometry *g, unsigned int i)
{
	return (const struct tpacket2_hdr *)(map + (size_t)(i / g->frames_per_block) * g->block_size +
					     (size_t)(i % g->frames_per_block) * g->frame_size);
}

/* Slots 0 .. *n - 1 hold frames (the driver reads from slot 0, as the
 * kernel writes); foreign[i]: slot i's came from another interface.
 * Returns the number of foreign frames. */
static unsigned int scan(const uint8_t *map, const struct ring_geometry *g, int ifindex, bool *foreign,
			 unsigned int *n)
{
	unsigned int nf = 0;

	for (*n = 0; *n < g->frame_count; (*n)++) {
		const struct tpacket2_hdr *h = slot(map, g, *n);
		const struct sockaddr_ll *sll;

		/* the kernel fills the slot, then hands it over in tp_status */
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		sll = (const struct sockaddr_ll *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
		foreign[*n] = sll->sll_ifindex != ifindex;
		nf += foreign[*n];
	}
	return nf;
}

int loom_port_ring_take_foreign(uint16_t ethdev, int fd, const char *devargs, struct loom_ring_early **early,
				uint64_t *foreign, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct ring_geometry g;
	struct loom_ring_early *e = NULL;
	unsigned int n, last = 0, taken = 0;
	int rc = 0;
	bool *is_foreign;
	uint8_t *map;

	*early = NULL;
	*foreign = 0;
	if (rte_eth_dev_info_get(ethdev, &info) != 0 || ring_geometry(devargs, &g, err, errlen) < 0)
		return -1;
	is_foreign = calloc(g.frame_count, sizeof(*is_foreign));
	if (!is_foreign) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* a second view of the driver's ring (the kernel maps it again) */
	map = mmap(NULL, g.map_len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the receive ring of '%s': %s", devargs, strerror(errno));
		free(is_foreign);
		return -1;
	}
	if (scan(map, &g, (int)info.if_index, is_foreign, &n) == 0)
		goto out;
	for (unsigned int i = 0; i < n; i++)
		if (is_foreign[i])
			last = i;
	e = calloc(1, sizeof(*e));
	if (e)
		e->m = calloc(last + 1, sizeof(*e->m));
	if (!e || !e->m) {
		free(e);
		e = NULL;
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	/* the driver hands the slots over in order, from slot 0 */
	while (taken <= last) {
		struct rte_mbuf *m[32];
		uint16_t want = (uint16_t)RTE_MIN(32u, last + 1 - taken);
		uint16_t got = rte_eth_rx_burst(ethdev, 0, m, want);

		if (got == 0)
			break; /* no mbuf: what is left goes to the switch */
		for (uint16_t k = 0; k < got; k++, taken++) {
			if (is_foreign[taken]) {
				rte_pktmbuf_free(m[k]);
				(*foreign)++;
			} else {
				e->m[e->n++] = m[k];
			}
		}
	}
out:
	munmap(map, g.map_len);
	free(is_foreign);
	*early = e;
	return rc;
}

void loom_ring_early_free(struct loom_ring_early *early)
{
	if (!early)
		return;
	if (early->n > early->next)
		rte_pktmbuf_free_bulk(early->m + early->next, early->n - early->next);
	free(early->m);
	free(early);
}
