/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire, per packet: what a port receives (port_io_rx), and moving what
 * its switch may send to the peer ring, the driver, the generator host or
 * the delay line (port_io_tx), with the time at which a port next has
 * work (port_io_next_time). The runners call these; port_setup.c made
 * the rings, ethdevs and delay lines they use.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "egress.h"
#include "gen_host.h"
#include "port_io.h"

/* Cut-through (loom_wire, core/switch.h): what the switch hands a driver
 * while its FIFO for the port is empty. Packets the driver refused
 * earlier go first, so nothing overtakes them. */
uint16_t port_wire_ethdev_send(void *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	struct loom_port_io *io = ctx;

	if (io->n_pending > 0)
		return 0;
	return rte_eth_tx_burst(io->ethdev, 0, pkts, n);
}

/* The port's own frames that came out of its ring with foreign ones at
 * start (port_ring_foreign.h), before anything newer. */
static uint16_t early_rx(struct loom_port_io *io, struct rte_mbuf **pkts)
{
	struct loom_ring_early *e = io->early;
	uint16_t n = (uint16_t)RTE_MIN((uint32_t)LOOM_BURST, e->n - e->next);

	memcpy(pkts, e->m + e->next, n * sizeof(*pkts));
	e->next += n;
	if (e->next == e->n) {
		loom_ring_early_free(e);
		io->early = NULL;
	}
	return n;
}

uint16_t port_io_rx(struct loom_port_io *io, struct rte_mbuf **pkts)
{
	if (io->kind == LOOM_LINK_RING)
		return (uint16_t)rte_ring_sc_dequeue_burst(io->rx, (void **)pkts, LOOM_BURST, NULL);
	if (io->kind == LOOM_LINK_GENERATOR)
		return loom_gen_host_transmit(io->gen, pkts, LOOM_BURST, loom_clock_now(io->clock));
	if (unlikely(io->early != NULL))
		return early_rx(io, pkts);
	return rte_eth_rx_burst(io->ethdev, 0, pkts, LOOM_BURST);
}

static uint16_t ethdev_tx(struct loom_port_io *io, loom_time_ns now)
{
	uint16_t sent, n;

	/* Packets the driver refused last time go first, and nothing new is
	 * taken from the switch until they are gone: the switch's queue, not
	 * this buffer, is where a backlog builds. */
	if (io->n_pending > 0) {
		sent = rte_eth_tx_burst(io->ethdev, 0, io->pending, io->n_pending);
		if (sent < io->n_pending)
			memmove(io->pending, io->pending + sent, (io->n_pending - sent) * sizeof(io->pending[0]));
		io->n_pending -= sent;
		if (io->n_pending > 0)
			return sent;
	}
	n = loom_switch_transmit(io->sw, io->port, io->pending, LOOM_BURST, now);
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(io->ethdev, 0, io->pending, n);
	if (sent < n)
		memmove(io->pending, io->pending + sent, (n - sent) * sizeof(io->pending[0]));
	io->n_pending = n - sent;
	return sent;
}

static uint16_t ring_tx(struct loom_port_io *io, loom_time_ns now)
{
	struct rte_mbuf *pkts[LOOM_BURST];
	unsigned int room = rte_ring_free_count(io->tx);
	uint16_t n;

	if (room == 0)
		return 0;
	n = loom_switch_transmit(io->sw, io->port, pkts, room < LOOM_BURST ? (uint16_t)room : LOOM_BURST, now);
	if (n > 0)
		rte_ring_sp_enqueue_burst(io->tx, (void **)pkts, n, NULL); /* fits: checked room, one producer */
	return n;
}

/* Hand the delay line's due packets to the wire; those the wire refuses
 * stay at its head. Returns the number handed over. */
static uint16_t delay_line_release(struct loom_port_io *io, loom_time_ns now)
{
	struct loom_delay_line *dl = io->dl;
	struct rte_mbuf *due[LOOM_BURST];
	uint16_t n = 0, sent;

	while (n < LOOM_BURST && n < dl->count && dl->at[(dl->head + n) % LOOM_DELAY_LINE_SIZE] <= now) {
		due[n] = dl->m[(dl->head + n) % LOOM_DELAY_LINE_SIZE];
		n++;
	}
	if (n == 0)
		return 0;
	if (io->kind == LOOM_LINK_RING) {
		sent = (uint16_t)rte_ring_sp_enqueue_burst(io->tx, (void **)due, n, NULL);
	} else if (io->kind == LOOM_LINK_GENERATOR) {
		loom_gen_host_receive(io->gen, due, n, now); /* takes them all */
		sent = n;
	} else {
		sent = rte_eth_tx_burst(io->ethdev, 0, due, n);
	}
	dl->head = (dl->head + sent) % LOOM_DELAY_LINE_SIZE;
	dl->count -= sent;
	return sent;
}

/* Move what the switch may send now into the delay line, stamped with
 * the time it reaches the far end of the link. */
static uint16_t delay_line_fill(struct loom_port_io *io, loom_time_ns now)
{
	struct loom_delay_line *dl = io->dl;
	struct rte_mbuf *pkts[LOOM_BURST];
	uint32_t room = LOOM_DELAY_LINE_SIZE - dl->count;
	uint16_t n;

	if (room == 0)
		return 0;
	n = loom_switch_transmit(io->sw, io->port, pkts, room < LOOM_BURST ? (uint16_t)room : LOOM_BURST, now);
	for (uint16_t i = 0; i < n; i++) {
		uint32_t k = (dl->head + dl->count) % LOOM_DELAY_LINE_SIZE;

		dl->m[k] = pkts[i];
		dl->at[k] = now + dl->delay_ns;
		dl->count++;
	}
	return n;
}

/* The generator host takes everything at once (it only counts and frees). */
static uint16_t generator_tx(struct loom_port_io *io, loom_time_ns now)
{
	struct rte_mbuf *pkts[LOOM_BURST];
	uint16_t n = loom_switch_transmit(io->sw, io->port, pkts, LOOM_BURST, now);

	if (n > 0)
		loom_gen_host_receive(io->gen, pkts, n, now);
	return n;
}

uint16_t port_io_tx(struct loom_port_io *io, loom_time_ns now)
{
	if (io->dl) {
		uint16_t moved = 0;

		if (io->dl->count)
			moved = delay_line_release(io, now);
		if (loom_switch_queued(io->sw, io->port))
			moved += delay_line_fill(io, now);
		return moved;
	}
	/* Most ports of a large fabric have nothing to send in a given loop:
	 * two index loads instead of a dequeue and a driver call. */
	if (io->n_pending == 0 && loom_switch_queued(io->sw, io->port) == 0)
		return 0;
	switch (io->kind) {
	case LOOM_LINK_RING:
		return ring_tx(io, now);
	case LOOM_LINK_GENERATOR:
		return generator_tx(io, now);
	default:
		return ethdev_tx(io, now);
	}
}

loom_time_ns port_io_next_time(const struct loom_port_io *io, loom_time_ns now)
{
	loom_time_ns t;

	if (io->n_pending)
		return now;
	t = loom_switch_queued(io->sw, io->port) ? loom_switch_next_tx_time(io->sw, io->port, now) : LOOM_TIME_NEVER;
	/* A full delay line takes nothing from the switch until its head
	 * leaves: then only that release is work (no spinning meanwhile). */
	if (io->dl && io->dl->count == LOOM_DELAY_LINE_SIZE)
		t = LOOM_TIME_NEVER;
	if (io->dl && io->dl->count) {
		loom_time_ns due = io->dl->at[io->dl->head];

		if (due < t)
			t = due < now ? now : due;
	}
	if (io->kind == LOOM_LINK_GENERATOR) {
		/* the host's next send is work for this port too */
		loom_time_ns g = loom_gen_host_next_tx_time(io->gen, now);

		if (g < t)
			t = g;
	}
	return t;
}
