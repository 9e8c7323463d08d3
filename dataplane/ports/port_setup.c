/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creates the wire side of every port: one rte_ring per direction for
 * links between switches of this process (single producer, single
 * consumer: the worker is one thread), and DPDK ethdevs probed from their
 * devargs for everything else; delay lines; the mbuf pool. What moves
 * packets over them is port_wire.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "gen_host.h"
#include "loom/frame.h"
#include "port_io.h"

/* loom/frame.h's figures for DPDK 22.11's drivers, checked against DPDK's
 * own (net_af_xdp's max_mtu: a page less the object header, the mbuf, its
 * headroom and XDP_PACKET_HEADROOM, 256). */
_Static_assert(LOOM_MBUF_ROOM_DEFAULT == RTE_MBUF_DEFAULT_DATAROOM, "frame.h's default data room is DPDK's");
_Static_assert(LOOM_AF_XDP_MAX_MTU == 4096 - sizeof(struct rte_mempool_objhdr) - sizeof(struct rte_mbuf) -
					      RTE_PKTMBUF_HEADROOM - 256,
	       "frame.h's af_xdp limit is net_af_xdp's max_mtu");


static int ethdev_open(const char *devargs, struct rte_mempool *pool, uint16_t *port_id, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	char name[RTE_DEV_NAME_MAX_LEN];
	uint16_t nb_rxd = LOOM_ETHDEV_RX_DESC, nb_txd = LOOM_ETHDEV_TX_DESC;
	size_t len = strcspn(devargs, ",");
	int rc;

	if (len >= sizeof(name)) {
		snprintf(err, errlen, "device name too long in '%s'", devargs);
		return -1;
	}
	memcpy(name, devargs, len);
	name[len] = '\0';
	rc = rte_dev_probe(devargs);
	if (rc < 0) {
		snprintf(err, errlen, "cannot open DPDK port '%s': %s", devargs, rte_strerror(-rc));
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, errlen, "DPDK port '%s' probed but not found", name);
		rte_eal_hotplug_remove("vdev", name);
		return -1;
	}
	rc = rte_eth_dev_configure(*port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(*port_id, &nb_rxd, &nb_txd);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(*port_id, 0, nb_rxd, rte_eth_dev_socket_id(*port_id), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(*port_id, 0, nb_txd, rte_eth_dev_socket_id(*port_id), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(*port_id);
	if (rc < 0) {
		snprintf(err, errlen, "cannot start DPDK port '%s': %s", devargs, rte_strerror(-rc));
		rte_eth_dev_close(*port_id);
		return -1;
	}
	rte_eth_promiscuous_enable(*port_id); /* not every PMD has it; harmless */
	return 0;
}

static unsigned int pool_size(const struct loom_fabric *f)
{
	unsigned int n = LOOM_POOL_SPARE_MBUFS;

	for (uint16_t s = 0; s < f->n_switches; s++)
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++)
			n += loom_port_mbufs(f->links[s][p].kind);
	return n;
}

static struct loom_port_io *find_io(struct loom_ports *ports, const struct loom_switch *sw, uint16_t port)
{
	for (uint32_t i = 0; i < ports->n; i++)
		if (ports->io[i].sw == sw && ports->io[i].port == port)
			return &ports->io[i];
	return NULL;
}

/* Drivers only, when nothing stands between the switch and them: no delay
 * line (packets must wait there), a mode that lets packets pass it at
 * transmit (core/switch_mode.h: not a cell fabric). Ring links to a peer switch in this
 * loomd keep the FIFO: cut-through into the ring measured no faster on
 * the fabric bench (docs/PERFORMANCE.md). */
static void wire_attach(struct loom_port_io *io)
{
	struct loom_port *p = &io->sw->ports[io->port];

	if (io->kind != LOOM_LINK_ETHDEV || io->dl != NULL || !io->sw->mode->cut_through || p->outq == NULL)
		return;
	p->wire = (struct loom_wire){.send = port_wire_ethdev_send, .ctx = io};
}

int loom_ports_bind(struct loom_fabric *f, struct loom_ports *ports, char *err, size_t errlen)
{
	uint32_t n = 0;

	memset(ports, 0, sizeof(*ports));
	for (uint16_t s = 0; s < f->n_switches; s++)
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++)
			n += f->links[s][p].kind != LOOM_LINK_NONE;
	ports->io = rte_zmalloc("loom_port_io", sizeof(*ports->io) * n, RTE_CACHE_LINE_SIZE);
	/* One buffer holds any frame of the fabric (the stages and P4 need
	 * packets whole); DPDK's default size unless a link's MTU is above
	 * 1500 (loom/frame.h). */
	ports->pool = rte_pktmbuf_pool_create("loom_mbufs", pool_size(f), 256, 0,
					      (uint16_t)(RTE_PKTMBUF_HEADROOM + loom_mbuf_room_for_mtu(f->max_mtu)),
					      SOCKET_ID_ANY);
	if (!ports->io || !ports->pool) {
		snprintf(err, errlen, "cannot allocate %u mbufs: %s", pool_size(f), rte_strerror(rte_errno));
		return -1;
	}

	/* First every port's own transmit side... */
	for (uint16_t s = 0; s < f->n_switches; s++) {
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++) {
			const struct loom_link_spec *l = &f->links[s][p];
			struct loom_port_io *io = &ports->io[ports->n];
			char name[RTE_RING_NAMESIZE];

			if (l->kind == LOOM_LINK_NONE)
				continue;
			io->sw = &f->switches[s];
			io->port = p;
			io->kind = l->kind;
			/* time_scale slows the whole fabric: delays stretch
			 * as rates shrink, so a link holds as many packets
			 * in flight as the real one. */
			if (f->switches[s].ports[p].delay_ns > 0) {
				io->dl = rte_zmalloc("loom_delay_line", sizeof(*io->dl), RTE_CACHE_LINE_SIZE);
				if (!io->dl) {
					snprintf(err, errlen, "out of memory for delay lines");
					return -1;
				}
				io->dl->delay_ns = (loom_time_ns)((double)f->switches[s].ports[p].delay_ns *
								  (f->time_scale > 0 ? f->time_scale : 1.0));
			}
			if (l->kind == LOOM_LINK_ETHDEV) {
				int fd;

				if (ethdev_open(l->devargs, ports->pool, &io->ethdev, err, errlen) < 0)
					return -1;
				fd = loom_port_ring_socket(io->ethdev);
				if (fd >= 0) {
					io->ring = calloc(1, sizeof(*io->ring));
					if (!io->ring) {
						snprintf(err, errlen, "out of memory");
						return -1;
					}
					io->ring->fd = fd;
					/* before the switch sees anything of the port */
					if (loom_port_ring_take_foreign(io->ethdev, fd, l->devargs, &io->early,
									&io->rx_foreign, err, errlen) < 0)
						return -1;
					io->ring->before_start = loom_ring_drops_restart(io->ring);
				}
			} else if (l->kind == LOOM_LINK_GENERATOR) {
				io->gen = &f->gen_hosts[l->gen_host];
			} else {
				snprintf(name, sizeof(name), "link_%u_%u", s, p);
				io->tx = rte_ring_create(name, LOOM_LINK_RING_SIZE, SOCKET_ID_ANY,
							 RING_F_SP_ENQ | RING_F_SC_DEQ);
				if (!io->tx) {
					snprintf(err, errlen, "cannot create ring %s: %s", name,
						 rte_strerror(rte_errno));
					return -1;
				}
			}
			ports->n++; /* only what was opened is closed by loom_ports_unbind */
		}
	}
	/* ...then each ring port receives from its peer's transmit ring. */
	for (uint32_t i = 0; i < ports->n; i++) {
		struct loom_port_io *io = &ports->io[i];
		const struct loom_link_spec *l;

		if (io->kind != LOOM_LINK_RING)
			continue;
		l = &f->links[io->sw - f->switches][io->port];
		io->rx = find_io(ports, &f->switches[l->peer_switch], l->peer_port)->tx;
	}
	for (uint32_t i = 0; i < ports->n; i++)
		wire_attach(&ports->io[i]);
	return 0;
}

void loom_ports_unbind(struct loom_ports *ports)
{
	struct rte_mbuf *m;

	for (uint32_t i = 0; i < ports->n; i++) {
		struct loom_port_io *io = &ports->io[i];

		memset(&io->sw->ports[io->port].wire, 0, sizeof(struct loom_wire));
		if (io->dl) {
			for (uint32_t k = 0; k < io->dl->count; k++)
				rte_pktmbuf_free(io->dl->m[(io->dl->head + k) % LOOM_DELAY_LINE_SIZE]);
			rte_free(io->dl);
		}
		if (io->kind == LOOM_LINK_ETHDEV) {
			rte_pktmbuf_free_bulk(io->pending, io->n_pending);
			loom_ring_early_free(io->early);
			io->early = NULL;
			free(io->ring);
			io->ring = NULL;
			rte_eth_dev_stop(io->ethdev);
			rte_eth_dev_close(io->ethdev);
		} else if (io->tx) {
			while (rte_ring_sc_dequeue(io->tx, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(io->tx);
		}
	}
	rte_free(ports->io);
	memset(ports, 0, sizeof(*ports));
	/* the mbuf pool goes with the EAL memory at exit */
}

void loom_ports_start_generators(struct loom_fabric *f, struct loom_ports *ports, const struct loom_clock *clock)
{
	for (uint32_t i = 0; i < ports->n; i++) {
		if (ports->io[i].kind != LOOM_LINK_GENERATOR)
			continue;
		ports->io[i].clock = clock;
		ports->io[i].gen->pool = ports->pool;
	}
	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		loom_gen_host_start(&f->gen_hosts[h]);
}
