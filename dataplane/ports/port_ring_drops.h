/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames an af_packet port's kernel ring dropped because it was full (the
 * switch's worker fell behind): DPDK 22.11's af_packet driver never reads
 * its sockets' PACKET_STATISTICS, so these frames appear in no counter at
 * all, and conservation across a link (loomctl gather) cannot close.
 * Later DPDK releases report them as imissed; until Debian ships one, loomd
 * finds the driver's sockets itself and adds their drops to rx_missed.
 */
#ifndef LOOM_PORT_RING_DROPS_H
#define LOOM_PORT_RING_DROPS_H

#include <stdint.h>

/* One port's ring: the driver's socket and the drops read so far (the
 * kernel resets its count at each read, and two threads read: the control
 * thread and rte_telemetry's). */
struct loom_ring_drops {
	int fd;
	uint64_t total;
	uint64_t before_start; /* dropped before the count started (loom_ring_drops_restart) */
};

/* The AF_PACKET socket of this process bound to the ethdev's interface
 * (the af_packet driver's receive ring), or -1 when the port is not an
 * af_packet port or no such socket is found. Called once, at set-up. */
int loom_port_ring_socket(uint16_t ethdev);

/* Every frame the ring has dropped since set-up. */
uint64_t loom_ring_drops_total(struct loom_ring_drops *r);

/* Starts the count afresh; returns what the socket dropped until now.
 * Called once the driver's socket is bound and its ring emptied of other
 * interfaces' frames (port_ring_foreign.h): until the bind the socket took
 * frames of every interface, so its drops until then are no measure of
 * the port's. */
uint64_t loom_ring_drops_restart(struct loom_ring_drops *r);

#endif
