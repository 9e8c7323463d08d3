/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire side of each switch port, owned by the runner: an rte_ring pair
 * to a peer switch in the same process, or a DPDK ethdev (af_packet,
 * af_xdp, pcap, virtio_user, vhost, memif, ring, null ...), or a generator
 * host of this loomd (hosts/gen_host.h: its handlers are called with the
 * runner's clock, so that it paces itself in real time). The switch
 * itself never sees this; the runner calls port_io_rx() and hands the
 * packets to loom_switch_receive(), and port_io_tx() pulls from
 * loom_switch_transmit() as much as the wire takes. The one exception is
 * cut-through: a driver port without a delay line lends the switch its
 * send (struct loom_wire), used while the port's FIFO is empty.
 */
#ifndef LOOM_PORT_IO_H
#define LOOM_PORT_IO_H

#include "fabric.h"
#include "port_fifo.h"
#include "port_ring_drops.h"
#include "port_ring_foreign.h"

struct rte_mempool;

struct loom_port_io {
	struct loom_switch *sw;
	uint16_t port;
	enum loom_link_kind kind;
	uint16_t ethdev;       /* ETHDEV: DPDK port id */
	struct loom_ring_drops *ring; /* ETHDEV af_packet: its ring's drops, or NULL */
	struct loom_ring_early *early; /* ETHDEV af_packet: own frames taken with foreign ones at start, or NULL */
	uint64_t rx_foreign;   /* ETHDEV af_packet: other interfaces' frames found in its ring at start */
	struct rte_ring *rx;   /* RING: packets from the peer */
	struct rte_ring *tx;   /* RING: packets to the peer */
	uint16_t n_pending;    /* ETHDEV: dequeued but not yet taken by the driver */
	struct rte_mbuf *pending[LOOM_BURST];
	struct loom_gen_host *gen;       /* GENERATOR: the host on the wire */
	const struct loom_clock *clock;  /* GENERATOR: time for its handlers */
	struct loom_delay_line *dl; /* propagation delay; NULL when the link has none */
};

/* A link's propagation delay: packets the switch transmitted at t reach
 * the wire (peer ring or driver) at t + delay, in order. Holds
 * LOOM_DELAY_LINE_SIZE packets; when full, the port stops taking packets
 * from its switch, whose queue then holds the backlog. */
#define LOOM_DELAY_LINE_SIZE 512
struct loom_delay_line {
	loom_time_ns delay_ns;
	uint32_t head, count;
	loom_time_ns at[LOOM_DELAY_LINE_SIZE];
	struct rte_mbuf *m[LOOM_DELAY_LINE_SIZE];
};

struct loom_ports {
	uint32_t n;
	struct loom_port_io *io;
	struct rte_mempool *pool;
};

/* Packets a ring link holds "on the wire" (per direction). */
#define LOOM_LINK_RING_SIZE 256
#define LOOM_ETHDEV_RX_DESC 512
#define LOOM_ETHDEV_TX_DESC 512

/* mbufs a port of this kind can hold at once: its output queue, plus its
 * ring or its driver's descriptors. The pool is sized from this, and
 * loomd's memory estimate too. */
static inline unsigned int loom_port_mbufs(enum loom_link_kind kind)
{
	switch (kind) {
	case LOOM_LINK_RING:
		return LOOM_OUTQ_SIZE + LOOM_LINK_RING_SIZE + LOOM_DELAY_LINE_SIZE;
	case LOOM_LINK_ETHDEV:
		return LOOM_OUTQ_SIZE + LOOM_ETHDEV_RX_DESC + LOOM_ETHDEV_TX_DESC + LOOM_BURST + LOOM_DELAY_LINE_SIZE;
	case LOOM_LINK_GENERATOR:
		return LOOM_OUTQ_SIZE + LOOM_BURST + LOOM_DELAY_LINE_SIZE;
	default:
		return 0;
	}
}
#define LOOM_POOL_SPARE_MBUFS 4096

/* ---- set-up (port_setup.c) ---- */
int loom_ports_bind(struct loom_fabric *f, struct loom_ports *ports, char *err, size_t errlen);
void loom_ports_unbind(struct loom_ports *ports);
/* Real time: give the generator hosts their mbuf pool and clock, and
 * start their flows (time 0 is now). */
void loom_ports_start_generators(struct loom_fabric *f, struct loom_ports *ports, const struct loom_clock *clock);

/* ---- the wire, per packet (port_wire.c) ---- */
uint16_t port_io_rx(struct loom_port_io *io, struct rte_mbuf **pkts);
/* Move what the port may send now from the switch to the wire; returns the
 * number of packets sent. */
uint16_t port_io_tx(struct loom_port_io *io, loom_time_ns now);
/* Earliest time >= now at which port_io_tx() has something to do: a
 * packet due out of the delay line, or one the switch may send
 * (loom_switch_next_tx_time). LOOM_TIME_NEVER when nothing waits. */
loom_time_ns port_io_next_time(const struct loom_port_io *io, loom_time_ns now);
/* Cut-through to a driver port (struct loom_wire's send; ctx: its
 * loom_port_io): port_setup.c lends it to the switch. */
uint16_t port_wire_ethdev_send(void *ctx, struct rte_mbuf **pkts, uint16_t n);
/* Packets in the port's delay line (transmitted, not yet on the wire). */
static inline uint32_t port_io_in_flight(const struct loom_port_io *io)
{
	return io->dl ? io->dl->count : 0;
}

#endif
