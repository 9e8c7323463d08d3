/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "worker_priority.h"

int loom_worker_priority_default(char *why, size_t len)
{
	long runtime = 0;
	FILE *f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "r");

	if (!f || fscanf(f, "%ld", &runtime) != 1)
		runtime = -1;
	if (f)
		fclose(f);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		snprintf(why, len, "one CPU: the worker shares it fairly");
		return 0;
	}
	if (runtime < 0) {
		snprintf(why, len, "the kernel's real-time throttling is off (sched_rt_runtime_us): the worker "
				   "shares the CPU fairly");
		return 0;
	}
	snprintf(why, len, "SCHED_RR %d by default (loomd --worker-priority 0: the fair scheduler)",
		 LOOM_WORKER_PRIORITY_DEFAULT);
	return LOOM_WORKER_PRIORITY_DEFAULT;
}

int loom_worker_priority_apply(int prio, char *why, size_t len)
{
	struct sched_param sp = {.sched_priority = prio};

	if (sched_setscheduler(0, prio > 0 ? SCHED_RR : SCHED_OTHER, &sp) != 0) {
		snprintf(why, len, "cannot run the worker at %s %d: %s", prio > 0 ? "SCHED_RR" : "SCHED_OTHER", prio,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void loom_worker_yield_plan_for(int prio, long rt_runtime_us, long rt_period_us, struct loom_worker_yield *y,
				char *why, size_t len)
{
	double share = rt_period_us > 0 ? (double)rt_runtime_us / (double)rt_period_us : -1;
	double target = share - LOOM_WORKER_YIELD_MARGIN;

	y->pause_ns = LOOM_WORKER_YIELD_PAUSE_NS;
	y->slice_ns = LOOM_TIME_NEVER;
	if (prio <= 0) {
		snprintf(why, len, "the fair scheduler: no pauses under load");
		return;
	}
	if (rt_runtime_us < 0 || share >= 1) {
		snprintf(why, len, "no real-time throttling (sched_rt_runtime_us %ld): no pauses under load; a worker "
				   "that never idles keeps its CPU", rt_runtime_us);
		return;
	}
	if (target < 0.1)
		target = 0.1;
	y->slice_ns = (loom_time_ns)((double)y->pause_ns * target / (1 - target));
	snprintf(why, len, "under sustained load, pauses %llu us after every %llu us of work (the kernel's real-time "
			   "throttling, sched_rt_runtime_us %ld of %ld, would stop it for %ld ms at once)",
		 (unsigned long long)(y->pause_ns / LOOM_NS_PER_US), (unsigned long long)(y->slice_ns / LOOM_NS_PER_US),
		 rt_runtime_us, rt_period_us, (rt_period_us - rt_runtime_us) / 1000);
}

static long read_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

void loom_worker_yield_plan(int prio, struct loom_worker_yield *y, char *why, size_t len)
{
	loom_worker_yield_plan_for(prio, read_long("/proc/sys/kernel/sched_rt_runtime_us", -1),
				   read_long("/proc/sys/kernel/sched_rt_period_us", 1000000), y, why, len);
}
