/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the control thread gets work done by the worker: it posts a function
 * and waits; the worker runs it between two bursts, when no packet is half
 * way through a switch. Stats read this way are a consistent snapshot, and
 * configuration changes never race with forwarding.
 */
#ifndef LOOM_MAILBOX_H
#define LOOM_MAILBOX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct loom_mailbox {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	atomic_bool pending;
	bool closed; /* the worker has stopped: calls run in the caller */
	void (*fn)(void *arg);
	void *arg;
};

void loom_mailbox_init(struct loom_mailbox *mb);
/* Any thread: run fn(arg) on the worker and wait for it. Calls from
 * several threads are run one after the other. */
void loom_mailbox_call(struct loom_mailbox *mb, void (*fn)(void *), void *arg);
/* Worker: run a posted request, if any. */
void loom_mailbox_run(struct loom_mailbox *mb);
static inline void loom_mailbox_poll(struct loom_mailbox *mb)
{
	if (atomic_load_explicit(&mb->pending, memory_order_acquire))
		loom_mailbox_run(mb);
}
/* Worker is gone: later calls run directly. */
void loom_mailbox_close(struct loom_mailbox *mb);
/* The worker is about to run (after a close before it started, under which
 * loomd re-applied its recorded changes in the caller): later calls go to
 * the worker again. */
void loom_mailbox_open(struct loom_mailbox *mb);

#endif
