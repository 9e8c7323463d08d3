/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NSCC over coalesced ACKs (see loom/cc/nscc.h, loom/transport/ack_coalesce.h).
 * An ACK of several packets, some CE-marked, is read as two: the unmarked
 * bytes, then the marked ones, with the same delay sample. Each part then
 * takes the quadrant it would have taken packet by packet (an unmarked
 * packet below the target grows the window in proportion, a marked one
 * fairly; above it the marked part cuts once a window and the unmarked
 * part grows fairly), so the marked fraction and the increases stay what
 * per-packet ACKs give. Kept out of nscc.c: the algorithm there is one
 * ACK's.
 *
 * What differs from per-packet ACKs: one delay sample per ACK (its newest
 * packet's), and an ACK with both parts updates the smoothed RTT twice with
 * that sample.
 */
#include "loom/cc/nscc.h"

void loom_nscc_on_ack_counted(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint64_t acked, uint64_t marked,
			      loom_time_ns sent, loom_time_ns now)
{
	if (marked > acked)
		marked = acked;
	if (acked > marked)
		loom_nscc_on_ack(st, cfg, acked - marked, false, sent, now);
	if (marked)
		loom_nscc_on_ack(st, cfg, marked, true, sent, now);
}
