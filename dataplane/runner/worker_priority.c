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
