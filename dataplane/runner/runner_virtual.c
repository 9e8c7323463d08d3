/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner: a discrete-event simulation of the fabric on
 * one thread, driving the same handlers as the real-time runner.
 *
 * Time is the event queue's (scheduler/include/loom/sim/event_queue.h:
 * exact (time, seq) order, stable tie-break), never a clock. Events:
 *   SW_ARRIVE   a packet's last bit reaches (switch, port):
 *               loom_switch_receive(sw, port, &pkt, 1, t)
 *   HOST_ARRIVE the same at a generator host: loom_gen_host_receive()
 *   PORT_TX     (switch, port) may send: loom_switch_transmit(..., 1, t)
 *   HOST_TX     a generator host may send: loom_gen_host_transmit(..., 1, t)
 *   SW_TIMER    loom_switch_run_timers(sw, t)
 *   FAULT       loom_faults_run(fabric, t): scheduled faults, detections,
 *               repairs (dataplane/fault/); then every port with
 *               something queued gets its send (a link gone down drains)
 * Links: a packet of L bytes that starts at t on a link of rate R and
 * delay D arrives at t + ceil(L * 8 / R) + D (loom_link_delivery_time);
 * the port may start its next packet at t + ceil(L * 8 / R), or later
 * when its switch says so (loom_switch_next_tx_time: the shaper).
 * A port has at most one PORT_TX pending: after a switch handled input
 * (a packet or a timer), the runner looks for ports that now have
 * something queued and none pending.
 *
 * Order: the events of one time run in rounds. A round is every event at
 * that time in the queue when it starts, sorted by a key of its own
 * content (the entity: switch, then generator host; then arrival, timer,
 * transmit; then the port), not by when it was pushed; events a round
 * pushes at the same time (a switch's own transmit or timer) make the
 * next round. Entities meet only through links, which take at least one
 * ns of serialization, so what one entity does at time t never depends
 * on another's events at t, and each entity sees its own events in an
 * order that does not depend on which process pushed them when: the same
 * run split over MPI ranks (runner_mpi.c) is byte-identical to one
 * process. (Before issue 27 ties went by push order, which depends on the
 * whole fabric's history and would not survive a split.)
 *
 * Everything the run does depends only on the configuration (and its
 * seed): same file, same events in the same order, byte-identical results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "cell_fabric.h"
#include "egress.h"
#include "fault.h"
#include "gen_host.h"
#include "link_fault.h"
#include "loom/sim/event_queue.h"
#include "loom/sim/event_sort.h"
#include "loom/sim/link.h"
#include "runner_virtual.h"
#include "series.h"
#include "switch_receive.h"
#include "vt_pool.h"

enum vt_event {
	EV_SW_ARRIVE = 1, /* a = switch, b = port, p = mbuf */
	EV_HOST_ARRIVE,   /* a = generator host, p = mbuf */
	EV_PORT_TX,       /* a = switch, b = port */
	EV_HOST_TX,       /* a = generator host */
	EV_SW_TIMER,      /* a = switch */
	EV_FAULT,         /* the fabric's faults */
};

struct vt_port {
	loom_time_ns busy_until; /* the link carries our last packet until then */
	bool tx_pending;         /* a PORT_TX event is in the queue */
	loom_time_ns tx_at;      /* its time (an earlier one supersedes it) */
};

struct loom_vt_run {
	struct loom_fabric *f;
	struct loom_event_queue q;
	struct loom_event *round; /* the events of the current round, sorted */
	size_t round_cap;
	struct loom_event *round_tmp; /* the sort's scratch */
	size_t round_tmp_cap;
	const struct loom_vt_remote *remote; /* NULL: one process runs every entity */
	struct vt_port **ports;    /* [switch][port] */
	loom_time_ns *next_timer;  /* [switch]: the SW_TIMER event that counts */
	loom_time_ns *host_tx_at;  /* [gen host] its pending HOST_TX (NEVER: none); an earlier one supersedes it */
	loom_time_ns *host_arrival; /* [gen host x LOOM_GEN_MAX_PLANES]: when its last packet reached its leaf */
	loom_time_ns next_fault;   /* the FAULT event that counts */
	struct loom_vt_stats *st;
	uint16_t data_at;          /* a packet's first byte from its mbuf (vt_pool.h) */
};

static void push(struct loom_vt_run *v, loom_time_ns t, uint32_t kind, uint32_t a, uint64_t b, void *p)
{
	/* Push fails only without memory; a simulation that lost an event
	 * would be wrong, so stop loudly. */
	if (loom_event_queue_push_at(&v->q, t, kind, a, b, p) != 0) {
		fprintf(stderr, "loomd: virtual time: cannot queue an event (out of memory)\n");
		abort();
	}
}

/* When port (s, p)'s link can start a packet, at or after `now`. */
static inline loom_time_ns link_free_at(const struct vt_port *vp, loom_time_ns now)
{
	return vp->busy_until > now ? vp->busy_until : now;
}

/* The earliest time port (s, p) could start a packet at or after `now`
 * (its link busy until then) is taken by a send already pending: that
 * send cannot be brought forward, and the switch need not be asked (the
 * common case, and the cheap one: the switch's queues are cold memory
 * in a large fabric, this is the runner's own). One further out (a
 * shaper or a PAUSE hold) may be: a RESUME, a PFC frame or a control
 * cell can make the port ready sooner. */
static inline bool send_is_earliest(const struct vt_port *vp, loom_time_ns now)
{
	return vp->tx_pending && vp->tx_at <= link_free_at(vp, now);
}

static void schedule_port(struct loom_vt_run *v, uint16_t s, uint16_t p, loom_time_ns now)
{
	struct vt_port *vp = &v->ports[s][p];
	loom_time_ns t;

	if (send_is_earliest(vp, now))
		return;
	t = loom_switch_next_tx_time(&v->f->switches[s], p, link_free_at(vp, now));
	if (t == LOOM_TIME_NEVER || (vp->tx_pending && t >= vp->tx_at))
		return;
	push(v, t, EV_PORT_TX, s, p, NULL);
	vp->tx_pending = true;
	vp->tx_at = t;
}

/* Port (s, p) may have new work at `now`: schedule its send unless one
 * at the earliest time is pending, or nothing waits. */
static void schedule_port_if_queued(struct loom_vt_run *v, uint16_t s, uint16_t p, loom_time_ns now)
{
	if (!send_is_earliest(&v->ports[s][p], now) && loom_switch_queued(&v->f->switches[s], p) > 0)
		schedule_port(v, s, p, now);
}

/* After switch s handled input at `now`: a timer the input armed is
 * scheduled (loom_switch_run_timers may be called early: it then only
 * tells), and ports with something queued get a transmit event. Timers
 * first: those due now may queue (a cell leaf's credits and requests, a
 * reassembled packet, a held VOQ's cells), and what they queue must get
 * its send here; nothing else would give it one before the switch's
 * next event, and the last a switch does may be a timer. */
static void after_switch_input(struct loom_vt_run *v, uint16_t s, loom_time_ns now)
{
	struct loom_switch *sw = &v->f->switches[s];
	loom_time_ns t = loom_switch_run_timers(sw, now);

	if (t < v->next_timer[s]) {
		v->next_timer[s] = t;
		push(v, t, EV_SW_TIMER, s, 0, NULL);
	}
	for (uint16_t p = 0; p < sw->n_ports; p++)
		schedule_port_if_queued(v, s, p, now);
}

/* Whether this process runs switch s (and the generator hosts on it). */
static inline bool owns_switch(const struct loom_vt_run *v, uint16_t s)
{
	return !v->remote || v->remote->sw_rank[s] == v->remote->rank;
}

void loom_vt_deliver(struct loom_vt_run *v, loom_time_ns t, uint16_t sw, uint16_t port, struct rte_mbuf *m)
{
	push(v, t, EV_SW_ARRIVE, sw, port, m);
}

void loom_vt_deliver_host(struct loom_vt_run *v, loom_time_ns t, uint32_t h, struct rte_mbuf *m)
{
	push(v, t, EV_HOST_ARRIVE, h, 0, m);
}

/* Whether this process runs generator host h: with its (plane-0) leaf. */
static inline bool owns_host(const struct loom_vt_run *v, uint32_t h)
{
	return owns_switch(v, v->f->gen_hosts[h].sw);
}

/* Put a packet that starts at `now` on the link out of (s, p). */
static void send_from_port(struct loom_vt_run *v, uint16_t s, uint16_t p, struct rte_mbuf *m, loom_time_ns now)
{
	const struct loom_port *port = &v->f->switches[s].ports[p];
	const struct loom_link_spec *l = &v->f->links[s][p];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	loom_time_ns at = loom_link_delivery_time(now, len, port->rate_bps, port->delay_ns);

	v->ports[s][p].busy_until = now + loom_link_serialization_ns(len, port->rate_bps);
	if (l->kind == LOOM_LINK_GENERATOR) {
		if (unlikely(!owns_host(v, l->gen_host))) /* a multi-plane host's other plane: another rank's */
			v->remote->send_host(v->remote->ctx, at, l->gen_host, m);
		else
			push(v, at, EV_HOST_ARRIVE, l->gen_host, 0, m);
	}
	else if (!owns_switch(v, l->peer_switch)) /* to another rank: a message stamped with its arrival */
		v->remote->send(v->remote->ctx, at, l->peer_switch, l->peer_port, m);
	else
		push(v, at, EV_SW_ARRIVE, l->peer_switch, l->peer_port, m);
}

static void port_tx(struct loom_vt_run *v, uint16_t s, uint16_t p, loom_time_ns now)
{
	struct loom_switch *sw = &v->f->switches[s];
	struct rte_mbuf *m;

	if (!v->ports[s][p].tx_pending || now != v->ports[s][p].tx_at)
		return; /* superseded by an earlier one */
	uint64_t generated = sw->c.generated;

	v->ports[s][p].tx_pending = false;
	if (loom_switch_transmit(sw, p, &m, 1, now) == 1) {
		send_from_port(v, s, p, m, now);
		schedule_port(v, s, p, v->ports[s][p].busy_until);
		/* The dequeue may have asked for a PFC frame (RESUME, refresh)
		 * on another port, which counts as generated: give those ports
		 * their send too, as to every port of a switch whose mode's
		 * transmit can queue elsewhere. Otherwise no other port changed. */
		if (sw->c.generated != generated || sw->mode->transmit_queues_elsewhere)
			for (uint16_t o = 0; o < sw->n_ports; o++)
				if (o != p)
					schedule_port_if_queued(v, s, o, now);
		return;
	}
	/* Nothing may go now: ask again when the switch says (a time
	 * that is not later than now would loop; the switch owes us one). */
	loom_time_ns t = loom_switch_next_tx_time(sw, p, now);
	if (t != LOOM_TIME_NEVER && t > now) {
		push(v, t, EV_PORT_TX, s, p, NULL);
		v->ports[s][p].tx_pending = true;
		v->ports[s][p].tx_at = t;
	}
}

static void host_schedule(struct loom_vt_run *v, uint32_t h, loom_time_ns now)
{
	loom_time_ns t = loom_gen_host_next_tx_time(&v->f->gen_hosts[h], now);

	if (t >= v->host_tx_at[h])
		return;
	push(v, t, EV_HOST_TX, h, 0, NULL);
	v->host_tx_at[h] = t;
}

static void host_tx(struct loom_vt_run *v, uint32_t h, loom_time_ns now)
{
	struct loom_gen_host *gh = &v->f->gen_hosts[h];
	struct rte_mbuf *m;

	if (now != v->host_tx_at[h])
		return; /* superseded by an earlier one, which rescheduled */
	v->host_tx_at[h] = LOOM_TIME_NEVER;
	if (loom_gen_host_transmit(gh, &m, 1, now) == 1) {
		/* a multi-plane NIC's packet goes over the link of the plane it chose (gen_plane.h) */
		const struct loom_gen_plane *pl = gh->nic ? &gh->nic->plane[gh->nic->last_plane] : NULL;
		uint64_t rate = pl ? pl->rate_bps : gh->link_rate_bps;
		loom_time_ns *arrival = &v->host_arrival[h * LOOM_GEN_MAX_PLANES + (gh->nic ? gh->nic->last_plane : 0)];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		loom_time_ns at = loom_link_delivery_time(now, len, rate,
							  (pl ? pl->delay_ns : gh->link_delay_ns) + loom_gen_host_tx_jitter(gh));
		loom_time_ns behind = *arrival + loom_link_serialization_ns(len, rate);

		/* Jitter delays a packet but keeps the host's packets in
		 * order, no closer than the link's rate allows. */
		if (*arrival != LOOM_TIME_NEVER && at < behind)
			at = behind;
		*arrival = at;
		if (unlikely(pl && !owns_switch(v, pl->sw))) /* a plane whose leaf another rank runs */
			v->remote->send(v->remote->ctx, at, pl->sw, pl->port, m);
		else
			push(v, at, EV_SW_ARRIVE, pl ? pl->sw : gh->sw, pl ? pl->port : gh->port, m);
	}
	host_schedule(v, h, now);
}

/* A multi-plane host's NIC sees its link to a plane down at once (loss
 * of signal: gen_plane.h) and moves that plane's traffic to the others. */
static void host_carriers(struct loom_vt_run *v, loom_time_ns now)
{
	for (uint32_t h = 0; h < v->f->n_gen_hosts; h++) {
		struct loom_gen_host *gh = &v->f->gen_hosts[h];
		int changed = 0;

		if (!owns_host(v, h)) /* every rank sees the faults; the host's own rank acts */
			continue;
		for (unsigned int p = 0; gh->nic && p < gh->nic->n_planes; p++) {
			const struct loom_gen_plane *pl = &gh->nic->plane[p];
			const struct loom_link_fault *lf = v->f->switches[pl->sw].ports[pl->port].fault;

			changed |= loom_gen_plane_carrier(gh, p, !(lf && lf->down));
		}
		if (changed)
			host_schedule(v, h, now);
	}
}

/* The faults due at `now`; every switch may have changed (a link down
 * drains its queue, a repair moves traffic): each port with something
 * queued gets its send, each switch's timers are asked again. */
static void faults_run(struct loom_vt_run *v, loom_time_ns now)
{
	loom_time_ns t = loom_faults_run(v->f, now);

	for (uint16_t s = 0; s < v->f->n_switches; s++)
		if (owns_switch(v, s))
			after_switch_input(v, s, now);
	host_carriers(v, now);
	v->next_fault = t;
	if (t != LOOM_TIME_NEVER)
		push(v, t, EV_FAULT, 0, 0, NULL);
}

static void run_event(struct loom_vt_run *v, const struct loom_event *ev)
{
	struct rte_mbuf *m = ev->p;
	uint16_t s = (uint16_t)ev->a;

	switch (ev->kind) {
	case EV_SW_ARRIVE:
		loom_switch_receive(&v->f->switches[s], (uint16_t)ev->b, &m, 1, ev->t);
		after_switch_input(v, s, ev->t);
		v->st->packets++;
		break;
	case EV_HOST_ARRIVE:
		/* a released collective phase may make the host due earlier */
		if (loom_gen_host_receive(&v->f->gen_hosts[ev->a], &m, 1, ev->t))
			host_schedule(v, ev->a, ev->t);
		v->st->packets++;
		break;
	case EV_PORT_TX:
		port_tx(v, s, (uint16_t)ev->b, ev->t);
		break;
	case EV_HOST_TX:
		host_tx(v, ev->a, ev->t);
		break;
	case EV_FAULT:
		/* split over ranks, every rank runs the fabric's fault events
		 * (runner_mpi.c): each counts once, on rank 0 */
		if (unlikely(v->remote && v->remote->rank != 0))
			v->st->events--;
		if (ev->t != v->next_fault)
			break;
		faults_run(v, ev->t);
		break;
	case EV_SW_TIMER:
		if (ev->t != v->next_timer[s])
			break; /* superseded by an earlier one */
		v->next_timer[s] = LOOM_TIME_NEVER;
		after_switch_input(v, s, ev->t);
		break;
	}
}

/* A packet's mbuf has usually waited in a queue long enough to leave the
 * caches: its first touch was most of the run's time (perf). Start
 * loading what the next event reads first while this event runs: an
 * arriving packet's header and first data line (where the pool puts it),
 * or the queue heads of a port about to send and their packets. */
static inline void prefetch_next(const struct loom_vt_run *v, const struct loom_event *nx)
{
	if (nx == NULL)
		return;
	if (nx->p) {
		rte_prefetch0(nx->p);
		rte_prefetch0((const char *)nx->p + v->data_at);
	} else if (nx->kind == EV_PORT_TX) {
		loom_switch_prefetch_transmit(&v->f->switches[nx->a], (uint16_t)nx->b);
	}
}

/* The order of an event among those of its round (see the top): its
 * entity, then arrival, timer, transmit, then the port. Two events with
 * one key are the same event pushed twice (a superseded transmit or
 * timer), and the first to run does the work: their order is moot. */
static inline uint64_t round_key(const struct loom_vt_run *v, const struct loom_event *ev)
{
	uint64_t sw = 1 + (uint64_t)ev->a, host = 1 + (uint64_t)v->f->n_switches + ev->a;

	switch (ev->kind) {
	case EV_SW_ARRIVE: return sw << 32 | 0u << 16 | (uint16_t)ev->b;
	case EV_SW_TIMER: return sw << 32 | 1u << 16;
	case EV_PORT_TX: return sw << 32 | 2u << 16 | (uint16_t)ev->b;
	case EV_HOST_ARRIVE: return host << 32;
	case EV_HOST_TX: return host << 32 | 2u << 16;
	default: return 0; /* EV_FAULT: the fabric's, first */
	}
}

/* Sorts a round by its keys (stored in seq, which the queue set and
 * nothing reads after the pop), stably: loom/sim/event_sort.h. */
static int round_sort(struct loom_vt_run *v, size_t n)
{
	if (n > v->round_tmp_cap) {
		struct loom_event *t = realloc(v->round_tmp, v->round_cap * sizeof(*t));

		if (!t)
			return -1;
		v->round_tmp = t;
		v->round_tmp_cap = v->round_cap;
	}
	loom_event_sort_by_seq(v->round, n, v->round_tmp);
	return 0;
}

/* Takes every event at the queue's earliest time into v->round, sorted.
 * Returns how many, or -1 without memory. */
static ssize_t round_take(struct loom_vt_run *v)
{
	loom_time_ns t = loom_event_queue_peek_time(&v->q);
	size_t n = 0;

	do {
		if (n == v->round_cap) {
			size_t cap = v->round_cap ? 2 * v->round_cap : 256;
			struct loom_event *r = realloc(v->round, cap * sizeof(*r));

			if (!r)
				return -1;
			v->round = r;
			v->round_cap = cap;
		}
		n += loom_event_queue_pop_at_min(&v->q, v->round + n, v->round_cap - n);
	} while (loom_event_queue_peek_time(&v->q) == t);
	for (size_t i = 0; i < n; i++)
		v->round[i].seq = round_key(v, &v->round[i]);
	return round_sort(v, n) < 0 ? -1 : (ssize_t)n;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Progress on a terminal, about once a second (on stderr, overwritten in
 * place; nothing when stderr is not a terminal): the virtual time
 * reached, events per second, and the time left at the rate so far. Wall
 * time is read for this only: it changes nothing in the run. */
struct progress {
	bool on;
	double start, next;
	uint64_t check_at; /* events */
};

static void progress_show(struct progress *pr, const struct loom_vt_stats *st, loom_time_ns now, loom_time_ns end)
{
	double w = wall_now(), el = w - pr->start, frac = end ? (double)now / (double)end : 1.0;

	pr->check_at = st->events + 65536;
	if (w < pr->next)
		return;
	pr->next = w + 1.0;
	fprintf(stderr, "\rloomd: virtual %.1f of %.1f us (%.0f%%), %.2f M events/s, %.0f s so far, ~%.0f s left   ",
		(double)now / 1e3, (double)end / 1e3, 100.0 * frac, el > 0 ? (double)st->events / el / 1e6 : 0.0, el,
		frac > 0 ? el * (1.0 - frac) / frac : 0.0);
}

/* Runs every event before `end` (and not after the duration), round by
 * round. 0, or -1 without memory. */
static int run_window(struct loom_vt_run *v, loom_time_ns end, const struct loom_series *series,
		      loom_time_ns *next_sample, struct progress *pr)
{
	const struct loom_fabric *f = v->f;
	struct loom_vt_stats *st = v->st;

	for (;;) {
		loom_time_ns t = loom_event_queue_peek_time(&v->q);

		if (t >= end || t > f->duration_ns)
			return 0;
		if (unlikely(pr->on && st->events >= pr->check_at))
			progress_show(pr, st, t, f->duration_ns);
		/* samples at exact multiples of the interval, after every event at or before them */
		while (*next_sample < t && *next_sample <= f->duration_ns) {
			loom_series_sample(series, f, *next_sample);
			*next_sample += series->interval_ns;
		}
		ssize_t n = round_take(v);

		if (n < 0)
			return -1;
		for (ssize_t i = 0; i < n; i++) {
			prefetch_next(v, i + 1 < n ? &v->round[i + 1] : NULL);
			run_event(v, &v->round[i]);
		}
		st->events += (uint64_t)n;
	}
}

static int check_fabric(const struct loom_fabric *f, char *err, size_t errlen)
{
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		for (uint16_t p = 0; p < sw->n_ports; p++) {
			enum loom_link_kind k = f->links[s][p].kind;

			if (k == LOOM_LINK_ETHDEV) {
				snprintf(err, errlen,
					 "virtual time: %s port %u is a DPDK port; only links inside loomd and "
					 "generator hosts can run in virtual time", sw->name, p);
				return -1;
			}
			if (k != LOOM_LINK_NONE && sw->ports[p].rate_bps == 0) {
				snprintf(err, errlen, "virtual time: %s port %u has no link rate", sw->name, p);
				return -1;
			}
		}
	}
	return 0;
}

static void vt_free(struct loom_vt_run *v)
{
	struct loom_event ev;

	/* What is still on a wire when time is up: counted, then freed. */
	while (loom_event_queue_pop(&v->q, &ev)) {
		if (ev.kind == EV_SW_ARRIVE || ev.kind == EV_HOST_ARRIVE) {
			v->st->in_flight++;
			rte_pktmbuf_free(ev.p);
		}
	}
	v->st->evq_bytes = loom_event_queue_bytes(&v->q);
	loom_event_queue_free(&v->q);
	for (uint16_t s = 0; v->ports && s < v->f->n_switches; s++)
		free(v->ports[s]);
	free(v->ports);
	free(v->next_timer);
	free(v->host_tx_at);
	free(v->host_arrival);
	free(v->round);
	free(v->round_tmp);
}

int loom_run_virtual(struct loom_fabric *f, struct loom_vt_pool *pool, const struct loom_series *series,
		     const struct loom_vt_remote *remote, struct loom_vt_stats *st, char *err, size_t errlen)
{
	struct loom_vt_run v = {.f = f, .st = st, .remote = remote, .data_at = pool->data_at};
	struct progress pr = {.on = isatty(STDERR_FILENO) == 1, .start = wall_now(), .check_at = 65536};
	loom_time_ns next_sample = series && series->out ? 0 : LOOM_TIME_NEVER;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (check_fabric(f, err, errlen) < 0)
		return -1;
	v.ports = calloc(f->n_switches, sizeof(*v.ports));
	v.next_timer = calloc(f->n_switches, sizeof(*v.next_timer));
	v.host_tx_at = calloc(f->n_gen_hosts + 1, sizeof(*v.host_tx_at));
	v.host_arrival = calloc((f->n_gen_hosts + 1) * (size_t)LOOM_GEN_MAX_PLANES, sizeof(*v.host_arrival));
	if (!v.ports || !v.next_timer || !v.host_tx_at || !v.host_arrival ||
	    loom_event_queue_init(&v.q, 4096 + 16 * (size_t)f->n_gen_hosts) < 0)
		goto oom;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		v.ports[s] = calloc(f->switches[s].n_ports, sizeof(**v.ports));
		if (!v.ports[s])
			goto oom;
		v.next_timer[s] = LOOM_TIME_NEVER;
		if (owns_switch(&v, s))
			after_switch_input(&v, s, 0); /* first timers */
	}
	v.next_fault = LOOM_TIME_NEVER;
	faults_run(&v, 0);
	for (uint32_t h = 0; h < f->n_gen_hosts; h++) {
		for (unsigned int p = 0; p < LOOM_GEN_MAX_PLANES; p++)
			v.host_arrival[h * LOOM_GEN_MAX_PLANES + p] = LOOM_TIME_NEVER;
		v.host_tx_at[h] = LOOM_TIME_NEVER;
		f->gen_hosts[h].pool = pool->mp;
		f->gen_hosts[h].pool_grow = loom_vt_pool_grow;
		f->gen_hosts[h].pool_grow_ctx = pool;
		loom_gen_host_start(&f->gen_hosts[h]);
		if (owns_switch(&v, f->gen_hosts[h].sw)) /* a host runs with its leaf */
			host_schedule(&v, h, 0);
	}
	if (f->cell != NULL) { /* a cell fabric rebuilds packets from this pool too */
		f->cell->pool_grow = loom_vt_pool_grow;
		f->cell->pool_grow_ctx = pool;
	}

	if (next_sample != LOOM_TIME_NEVER)
		loom_series_header(series);
	st->setup_s = wall_now() - pr.start;
	pr.start = wall_now();
	pr.next = pr.start + 1.0;
	if (!remote) {
		if (run_window(&v, LOOM_TIME_NEVER, series, &next_sample, &pr) < 0)
			goto oom;
	} else {
		/* Conservative windows (runner_mpi.c): every rank runs the
		 * events before the earliest pending one anywhere plus the
		 * lookahead; nothing sent in a window arrives inside it. */
		for (;;) {
			loom_time_ns next = remote->sync(remote->ctx, &v, loom_event_queue_peek_time(&v.q));

			if (next > f->duration_ns)
				break;
			if (run_window(&v, next > LOOM_TIME_NEVER - remote->lookahead ? LOOM_TIME_NEVER
										   : next + remote->lookahead,
				       series, &next_sample, &pr) < 0)
				goto oom;
		}
	}
	st->loop_s = wall_now() - pr.start;
	if (pr.on && pr.next > pr.start + 1.0) /* a progress line was shown: end it */
		fputc('\n', stderr);
	for (; next_sample <= f->duration_ns; next_sample += series->interval_ns)
		loom_series_sample(series, f, next_sample);
	st->end_ns = f->duration_ns;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "virtual time: out of memory");
out:
	vt_free(&v);
	return rc;
}
