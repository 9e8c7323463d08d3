/* SPDX-License-Identifier: BSD-3-Clause */
#include "mailbox.h"

void loom_mailbox_init(struct loom_mailbox *mb)
{
	pthread_mutex_init(&mb->lock, NULL);
	pthread_cond_init(&mb->done_cond, NULL);
	atomic_init(&mb->pending, false);
	mb->closed = false;
}

void loom_mailbox_call(struct loom_mailbox *mb, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&mb->lock);
	if (mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		fn(arg);
		return;
	}
	/* Several threads call (the control socket, DPDK telemetry, the
	 * metrics endpoint): wait until an earlier request has been run
	 * before posting ours over it. */
	while (atomic_load_explicit(&mb->pending, memory_order_acquire) && !mb->closed)
		pthread_cond_wait(&mb->done_cond, &mb->lock);
	if (mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		fn(arg);
		return;
	}
	mb->fn = fn;
	mb->arg = arg;
	atomic_store_explicit(&mb->pending, true, memory_order_release);
	while (atomic_load_explicit(&mb->pending, memory_order_acquire))
		pthread_cond_wait(&mb->done_cond, &mb->lock);
	pthread_mutex_unlock(&mb->lock);
}

void loom_mailbox_run(struct loom_mailbox *mb)
{
	pthread_mutex_lock(&mb->lock);
	if (atomic_load_explicit(&mb->pending, memory_order_acquire)) {
		mb->fn(mb->arg);
		atomic_store_explicit(&mb->pending, false, memory_order_release);
		pthread_cond_broadcast(&mb->done_cond);
	}
	pthread_mutex_unlock(&mb->lock);
}

void loom_mailbox_close(struct loom_mailbox *mb)
{
	/* Under the lock: a request posted before this point is run now, and
	 * any later call sees `closed` and runs in its caller. */
	pthread_mutex_lock(&mb->lock);
	mb->closed = true;
	if (atomic_load_explicit(&mb->pending, memory_order_acquire)) {
		mb->fn(mb->arg);
		atomic_store_explicit(&mb->pending, false, memory_order_release);
	}
	pthread_cond_broadcast(&mb->done_cond);
	pthread_mutex_unlock(&mb->lock);
}

void loom_mailbox_open(struct loom_mailbox *mb)
{
	pthread_mutex_lock(&mb->lock);
	mb->closed = false;
	pthread_mutex_unlock(&mb->lock);
}
