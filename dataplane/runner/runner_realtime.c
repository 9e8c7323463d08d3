/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real-time runner: one loop on one lcore, top to bottom.
 *   1. receive a burst from every port's wire and hand it to its switch;
 *   2. let every port send what its switch has queued;
 *   3. run the switches' timers that are due, and the faults (scheduled
 *      faults, detections, repairs: dataplane/fault/);
 *   4. run a pending control request, if any;
 *   5. if nothing moved for a while, sleep a little longer each time,
 *      but never past the earliest time a port may send (shaped ports
 *      holding packets, delay lines) or a switch timer is due;
 *   6. at SCHED_RR, after a slice of work without a sleep, pause briefly
 *      (worker_priority.h: else the kernel's real-time throttling stops
 *      the worker for ~50 ms once a second).
 * Each turn is charged with how late it starts against the loop's plan
 * (fidelity.h): the record of whether this run emulated what it claims.
 */
#include <sys/prctl.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>

#include "fault.h"
#include "runner.h"
#include "switch_receive.h"

static void idle_sleep(unsigned int us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};
	nanosleep(&ts, NULL);
}

/* A pause under sustained load (step 6); `now` is the turn's start. */
static void pause_worker(const struct loom_clock *clock, struct loom_rt_stats *stats, const struct loom_worker_yield *y,
			 loom_time_ns *planned, loom_time_ns *awake_since, bool busy, uint32_t received,
			 loom_time_ns turn_start)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)y->pause_ns};
	loom_time_ns t = loom_clock_now(clock);

	if (busy) { /* this turn's work, not the pause, is busy time */
		stats->busy_ns += t - turn_start;
		stats->rx_packets += received;
	}
	*planned = t + y->pause_ns;
	nanosleep(&ts, NULL);
	*awake_since = loom_clock_now(clock);
	stats->pauses++;
}

/* Run the timers of every switch whose next timer is due; keep the
 * earliest next one so that the loop checks a single time when none is. */
static loom_time_ns run_due_timers(struct loom_fabric *f, loom_time_ns *next, loom_time_ns now)
{
	loom_time_ns earliest = LOOM_TIME_NEVER;

	for (uint16_t s = 0; s < f->n_switches; s++) {
		if (next[s] <= now)
			next[s] = loom_switch_run_timers(&f->switches[s], now);
		if (next[s] < earliest)
			earliest = next[s];
	}
	return earliest;
}

/* Before sleeping: run the switches' timers (they may have gained new
 * ones from the data path, e.g. a PFC pause to refresh; calling early is
 * allowed) and find the earliest time anything has to happen. */
static loom_time_ns earliest_work(struct loom_fabric *f, struct loom_ports *ports, loom_time_ns *next_timer,
				  loom_time_ns *earliest_timer, loom_time_ns now)
{
	loom_time_ns t = LOOM_TIME_NEVER;

	for (uint16_t s = 0; s < f->n_switches; s++) {
		next_timer[s] = loom_switch_run_timers(&f->switches[s], now);
		if (next_timer[s] < t)
			t = next_timer[s];
	}
	*earliest_timer = t;
	for (uint32_t i = 0; i < ports->n; i++) {
		loom_time_ns p = port_io_next_time(&ports->io[i], now);

		if (p < t)
			t = p;
	}
	return t;
}

void loom_run_realtime(struct loom_fabric *f, struct loom_ports *ports, const struct loom_clock *clock,
		       struct loom_mailbox *mb, atomic_bool *stop, struct loom_rt_stats *stats)
{
	loom_time_ns next_timer[f->n_switches], earliest_timer;
	struct rte_mbuf *pkts[LOOM_BURST];
	unsigned int idle_polls = 0, sleep_us = 1;

	/* Linux stretches short sleeps by the timer slack (50 us by default):
	 * without this, the first back-off steps would all be ~50 us. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	/* Time accounting for the benchmark (cycles per packet): a busy loop
	 * is charged with the time until the next one starts, read from the
	 * clock the loop reads anyway (a second TSC read per loop cost ~2 % of
	 * the leaf's forwarding rate). */
	loom_time_ns prev_start = loom_clock_now(clock);
	/* When the next turn should start: at once after a turn that did not
	 * sleep (its own work counts), else when its sleep was due to end. */
	loom_time_ns planned = prev_start;
	uint64_t prev_received = 0;
	bool prev_busy = false;
	const struct loom_worker_yield yield = stats->yield;
	loom_time_ns awake_since = prev_start; /* since the worker last slept */

	stats->tsc_hz = rte_get_tsc_hz();
	for (uint16_t s = 0; s < f->n_switches; s++)
		next_timer[s] = 0;
	earliest_timer = run_due_timers(f, next_timer, loom_clock_now(clock));
	loom_time_ns next_fault = loom_faults_run(f, loom_clock_now(clock));
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		loom_time_ns now = loom_clock_now(clock);
		uint32_t moved = 0, received = 0;

		if (prev_busy) {
			stats->busy_ns += now - prev_start;
			stats->rx_packets += prev_received;
		}
		loom_fidelity_turn(&stats->fidelity, planned, now);
		prev_start = now;
		planned = now;

		for (uint32_t i = 0; i < ports->n; i++) {
			struct loom_port_io *io = &ports->io[i];
			uint16_t n = port_io_rx(io, pkts);

			if (n > 0) {
				loom_switch_receive(io->sw, io->port, pkts, n, now);
				received += n;
				if (unlikely(io->sw->timers_armed)) { /* e.g. credits to give */
					io->sw->timers_armed = false;
					next_timer[io->sw - f->switches] = now;
					earliest_timer = now;
				}
			}
		}
		moved = received;
		for (uint32_t i = 0; i < ports->n; i++)
			moved += port_io_tx(&ports->io[i], now);
		if (unlikely(now >= earliest_timer))
			earliest_timer = run_due_timers(f, next_timer, now);
		if (unlikely(now >= next_fault))
			next_fault = loom_faults_run(f, now);

		if (unlikely(atomic_load_explicit(&mb->pending, memory_order_acquire))) {
			loom_mailbox_run(mb);
			/* A control request may have changed a switch's timers
			 * (e.g. `lb_set` starting port load sampling): ask every
			 * switch for its next time again (an early call is allowed). */
			for (uint16_t s = 0; s < f->n_switches; s++)
				next_timer[s] = now;
			earliest_timer = now;
			next_fault = loom_faults_run(f, now); /* a `link` request's detection */
		}

		stats->loops++;
		prev_busy = moved > 0;
		prev_received = received;
		if (unlikely(now - awake_since >= yield.slice_ns)) {
			pause_worker(clock, stats, &yield, &planned, &awake_since, prev_busy, received, now);
			prev_busy = false;
			if (moved > 0) {
				stats->busy_loops++;
				idle_polls = 0;
				sleep_us = 1;
			}
			continue;
		}
		if (likely(moved > 0)) {
			stats->busy_loops++;
			idle_polls = 0;
			sleep_us = 1;
			continue;
		}
		if (++idle_polls < LOOM_IDLE_POLLS_BEFORE_SLEEP)
			continue;
		loom_time_ns due = earliest_work(f, ports, next_timer, &earliest_timer, now);
		unsigned int us = sleep_us;

		if (next_fault < due)
			due = next_fault;

		if (due != LOOM_TIME_NEVER) {
			loom_time_ns wait = due > now ? due - now : 0;

			if (wait < LOOM_NS_PER_US) /* due now or within a us: keep polling */
				continue;
			if (wait / LOOM_NS_PER_US < us)
				us = (unsigned int)(wait / LOOM_NS_PER_US);
		}
		planned = now + (loom_time_ns)us * LOOM_NS_PER_US;
		idle_sleep(us);
		awake_since = planned;
		stats->sleeps++;
		sleep_us = sleep_us * 2 > LOOM_IDLE_SLEEP_MAX_US ? LOOM_IDLE_SLEEP_MAX_US : sleep_us * 2;
	}
}
