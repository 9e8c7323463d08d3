/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link timing: how long `bytes` take on a link of `rate_bps`, the one
 * definition of size/rate -> time. The virtual-time runner (a packet's
 * delivery time, a port's next send), generator hosts (pacing), PFC (a
 * PAUSE's quanta, pfc.c) and the experiment runner (a flow's completion
 * time alone, experiment_cmd.c) all use it, so that the same quantity is
 * never computed two ways.
 *
 * A packet of `bytes` bytes takes bytes * 8 / rate seconds to serialize:
 * the frame as the switch sees it (no preamble, inter-frame gap or FCS).
 * In nanoseconds this is rounded UP: ceil(bytes * 8 * 1e9 / rate_bps). When
 * a port starts the next packet at the previous one's serialization end,
 * the link therefore never carries more than its rate over any window (at
 * most 1 ns per packet slower than exact). The math is exact integer math
 * with a 128-bit intermediate: no floating point, so results are identical
 * on every machine.
 *
 * rate_bps == 0 (a link that never finishes) and results beyond 2^64 - 1 ns
 * saturate to LOOM_TIME_NEVER.
 */
#ifndef LOOM_SIM_LINK_H
#define LOOM_SIM_LINK_H

#include <stdint.h>

#include "loom/clock.h"

loom_time_ns loom_link_serialization_ns(uint64_t bytes, uint64_t rate_bps);

/* When the last bit of a packet whose first bit leaves at `t_start` reaches
 * the far end: t_start + loom_link_serialization_ns(bytes, rate_bps) +
 * delay_ns (propagation), saturating at LOOM_TIME_NEVER. */
loom_time_ns loom_link_delivery_time(loom_time_ns t_start, uint64_t bytes, uint64_t rate_bps,
				     loom_time_ns delay_ns);

#endif
