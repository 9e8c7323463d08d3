/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stable sort of events by their `seq` field, for the virtual-time
 * runner's rounds (runner_virtual.c stores each event's round key in seq
 * and needs events of one key to keep their order). qsort (glibc's merge
 * sort: a call through a pointer per comparison, a 40-byte copy per move)
 * was ~230 instructions per packet-hop on a k=8 fat tree, whose hosts
 * all send in the same nanoseconds: rounds of hundreds of events. This is
 * a merge sort with the comparison inline: insertion sort of runs of 16,
 * then merges between the array and `tmp`.
 */
#ifndef LOOM_EVENT_SORT_H
#define LOOM_EVENT_SORT_H

#include <stddef.h>

#include "loom/sim/event_queue.h"

/* Sorts ev[0..n) by seq, stably; tmp has room for n events. */
void loom_event_sort_by_seq(struct loom_event *ev, size_t n, struct loom_event *tmp);

#endif
