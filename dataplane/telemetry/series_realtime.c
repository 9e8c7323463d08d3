/* SPDX-License-Identifier: BSD-3-Clause */
/* The real-time time series sampler (see series_realtime.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "series_realtime.h"
#include "telemetry.h"

static void sample_now(struct loom_series_sampler *smp)
{
	json_t *stats = loom_stats_snapshot(smp->st);

	if (!stats) { /* out of memory: a missing sample, not a wrong one */
		fprintf(stderr, "loomd: --series: no stats snapshot; sample skipped\n");
		return;
	}
	loom_series_write_stats(&smp->series, stats);
	fflush(smp->series.out);
	json_decref(stats);
}

static void timespec_add_ns(struct timespec *t, uint64_t ns)
{
	uint64_t nsec = (uint64_t)t->tv_nsec + ns % 1000000000ull;

	t->tv_sec += (time_t)(ns / 1000000000ull + nsec / 1000000000ull);
	t->tv_nsec = (long)(nsec % 1000000000ull);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Deadlines are absolute multiples of the interval from the start, so
 * samples do not drift by the time a snapshot takes; one missed (the
 * machine was busy) is skipped rather than taken late twice. */
static void *sampler_main(void *arg)
{
	struct loom_series_sampler *smp = arg;
	struct timespec next, now;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&smp->lock);
	while (!smp->stop) {
		pthread_mutex_unlock(&smp->lock);
		sample_now(smp);
		clock_gettime(CLOCK_MONOTONIC, &now);
		do
			timespec_add_ns(&next, smp->series.interval_ns);
		while (before(&next, &now));
		pthread_mutex_lock(&smp->lock);
		while (!smp->stop && pthread_cond_timedwait(&smp->wake, &smp->lock, &next) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&smp->lock);
	return NULL;
}

int loom_series_sampler_start(struct loom_series_sampler *smp, struct loomd_state *st,
			      const struct loom_series *series, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int rc;

	memset(smp, 0, sizeof(*smp));
	smp->series = *series;
	smp->st = st;
	pthread_mutex_init(&smp->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&smp->wake, &ca);
	pthread_condattr_destroy(&ca);
	loom_series_header(&smp->series);
	rc = pthread_create(&smp->thread, NULL, sampler_main, smp);
	if (rc != 0) {
		snprintf(err, errlen, "--series: cannot start the sampler thread: %s", strerror(rc));
		return -1;
	}
	smp->running = true;
	return 0;
}

void loom_series_sampler_stop(struct loom_series_sampler *smp)
{
	if (!smp->running)
		return;
	pthread_mutex_lock(&smp->lock);
	smp->stop = true;
	pthread_cond_signal(&smp->wake);
	pthread_mutex_unlock(&smp->lock);
	pthread_join(smp->thread, NULL);
	smp->running = false;
	sample_now(smp); /* the final counters (the mailbox runs it directly now) */
}
