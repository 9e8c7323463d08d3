/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The time series of a real-time run (loomd --series FILE
 * --series-interval NS without "clock": "virtual"): a thread of its own
 * takes the `stats` snapshot (loom_stats_snapshot: copied on the worker
 * through the mailbox, never read racily) every interval of wall time and
 * appends its rows (series.h, same columns as virtual time) to the file,
 * flushed after each sample so that a reader can follow it live. The
 * first sample is taken at start, the last one at stop, after the worker
 * has stopped: the file's last rows are the final counters.
 */
#ifndef LOOM_SERIES_REALTIME_H
#define LOOM_SERIES_REALTIME_H

#include <pthread.h>
#include <stdbool.h>

#include "ctl.h"
#include "series.h"

struct loom_series_sampler {
	struct loom_series series;
	struct loomd_state *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* CLOCK_MONOTONIC: stop or the next sample */
	bool stop;
	bool running;
};

/* 0, or -1 with a message. series->out stays the caller's to close. */
int loom_series_sampler_start(struct loom_series_sampler *smp, struct loomd_state *st,
			      const struct loom_series *series, char *err, size_t errlen);
/* Stops the thread and writes the last sample (call it after the worker
 * has stopped). Harmless if never started. */
void loom_series_sampler_stop(struct loom_series_sampler *smp);

#endif
