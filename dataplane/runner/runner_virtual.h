/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner (runner_virtual.c): a deterministic
 * discrete-event run of the whole fabric for f->duration_ns of virtual
 * time, driving the same switch and generator-host handlers as the
 * real-time runner. docs/VIRTUAL_TIME.md.
 */
#ifndef LOOM_RUNNER_VIRTUAL_H
#define LOOM_RUNNER_VIRTUAL_H

#include <stddef.h>
#include <stdint.h>

#include "fabric.h"

struct loom_vt_pool;

struct loom_vt_stats {
	uint64_t events;    /* events run */
	uint64_t packets;   /* packet arrivals (switch ports and hosts) */
	uint64_t in_flight; /* packets still on a link when time was up (freed) */
	loom_time_ns end_ns;
	size_t evq_bytes;   /* the event queue's memory at the end (it only grows) */
	/* split over MPI ranks (runner_mpi.c): this rank's share */
	uint64_t msgs_sent, msgs_received; /* packets to and from other ranks */
	uint64_t windows;   /* synchronisation windows */
	double sync_s;      /* wall seconds in the window exchange (waiting for the other ranks included) */
	double setup_s, loop_s; /* wall seconds before the first event, and of the loop */
};

struct rte_mbuf;
struct loom_vt_run; /* the run's state (runner_virtual.c) */

/* A run split over processes (runner_mpi.c): this process runs the
 * switches with sw_rank[s] == rank and the generator hosts on them; a
 * packet for a switch of another rank goes to send() instead of the queue.
 * sync() is called before every window: it exchanges what was sent
 * (handing what arrives to loom_vt_deliver) and returns the earliest
 * pending time of every rank; the runner then runs the events before that
 * plus `lookahead` (no more than the smallest delay of a link between
 * ranks, so nothing sent in a window arrives inside it), and stops when it
 * is past the duration. */
struct loom_vt_remote {
	const uint16_t *sw_rank; /* [switch] */
	uint16_t rank;
	loom_time_ns lookahead;
	void (*send)(void *ctx, loom_time_ns t, uint16_t sw, uint16_t port, struct rte_mbuf *m); /* takes m */
	/* to a generator host of another rank (a multi-plane host's plane
	 * leaf runs elsewhere): it reaches host h at t; takes m */
	void (*send_host)(void *ctx, loom_time_ns t, uint32_t h, struct rte_mbuf *m);
	loom_time_ns (*sync)(void *ctx, struct loom_vt_run *v, loom_time_ns local_next);
	void *ctx;
};

/* A packet from another rank reaches (sw, port) at t (sync() only). */
void loom_vt_deliver(struct loom_vt_run *v, loom_time_ns t, uint16_t sw, uint16_t port, struct rte_mbuf *m);
/* The same at generator host h. */
void loom_vt_deliver_host(struct loom_vt_run *v, loom_time_ns t, uint32_t h, struct rte_mbuf *m);

/* Run to f->duration_ns. Generator hosts take their packets from `pool`
 * (vt_pool.h: it grows when they find it empty).
 * Returns 0, or -1 with a message (a fabric that cannot run in virtual
 * time: DPDK ports, links without a rate). */
struct loom_series;
/* `series` (NULL or no file: none) samples the switch ports every
 * interval of virtual time (series.h). `remote`: NULL, or this rank's
 * part of a split run. */
int loom_run_virtual(struct loom_fabric *f, struct loom_vt_pool *pool, const struct loom_series *series,
		     const struct loom_vt_remote *remote, struct loom_vt_stats *st, char *err, size_t errlen);

#endif
