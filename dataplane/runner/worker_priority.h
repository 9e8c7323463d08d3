/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real-time worker's scheduling. An emulated link keeps its rate only
 * while the worker runs: on a machine shared with the emulated hosts'
 * applications (iperf3, TCP stacks, VMs), the kernel's fair scheduler
 * takes the worker away for milliseconds at a time, and the fabric's
 * queues stop draining meanwhile (runner/fidelity.h records it). A
 * real-time policy (SCHED_RR) lets the worker run when it has work; it
 * still sleeps when idle (runner_realtime.c), and the kernel's real-time
 * throttling (sched_rt_runtime_us, 95 % by default) leaves the rest of the
 * CPU to everything else even when it never idles. Without that
 * throttling, or on a single CPU, a worker that never idles (a generator
 * host sending at line rate) would starve the machine: there the default
 * stays the fair scheduler.
 */
#ifndef LOOM_RUNNER_WORKER_PRIORITY_H
#define LOOM_RUNNER_WORKER_PRIORITY_H

#include <stddef.h>

#define LOOM_WORKER_PRIORITY_DEFAULT 10 /* SCHED_RR: above ordinary threads, below the kernel's own */
#define LOOM_WORKER_PRIORITY_UNSET (-1)

/* The priority to ask for when the user did not say: the default above
 * where it is safe, else 0, with the reason in `why`. */
int loom_worker_priority_default(char *why, size_t len);

/* Run the calling thread (the worker) at SCHED_RR `prio` (1..99), or at
 * the fair scheduler for 0. Returns 0, or -1 with the reason in `why`. */
int loom_worker_priority_apply(int prio, char *why, size_t len);

#endif
