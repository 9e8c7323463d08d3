/* SPDX-License-Identifier: BSD-3-Clause */
/* A stable merge sort of events by seq: event_sort.h. */
#include <string.h>

#include "loom/sim/event_sort.h"

#define RUN 16

static void insertion(struct loom_event *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct loom_event x = r[i];
		size_t j = i;

		for (; j > 0 && r[j - 1].seq > x.seq; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Merges a[0..na) and b[0..nb) into out; on equal keys a's first (stable). */
static void merge(const struct loom_event *a, size_t na, const struct loom_event *b, size_t nb,
		  struct loom_event *out)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = b[j].seq < a[i].seq ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

void loom_event_sort_by_seq(struct loom_event *ev, size_t n, struct loom_event *tmp)
{
	struct loom_event *src = ev, *dst = tmp;

	for (size_t i = 0; i < n; i += RUN)
		insertion(ev + i, n - i < RUN ? n - i : RUN);
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;

			merge(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
		}
		struct loom_event *t = src;

		src = dst;
		dst = t;
	}
	if (src != ev)
		memcpy(ev, src, n * sizeof(*ev));
}
