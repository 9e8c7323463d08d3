/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port load as the flowlet balancer sees it, after SAI's adaptive routing
 * (ARS) profile and Broadcom's DLB: every sampling interval (SAI default
 * 16 us) the switch samples each port's
 *   past load   = EWMA of the bytes it sent during the interval, and
 *   future load = EWMA of the bytes waiting in its output queues,
 * and a member's quality is the weighted mix of the two, each relative to
 * what the port's link carries, quantized into 8 bands:
 *   band 0 = idle ... band 7 = saturated (quality = 7 - band).
 *
 * Scales (why): past load is relative to the bytes the link sends in one
 * interval (1.0 = line rate); future load is relative to the bytes it
 * sends in one flowlet idle time (1.0 = a queue that takes longer to drain
 * than the gap that makes a new flowlet safe to move).
 */
#ifndef LOOM_LB_PORT_LOAD_H
#define LOOM_LB_PORT_LOAD_H

#include <stdint.h>

#include "loom/clock.h"

#define LB_QUALITY_BANDS 8
/* EWMA values keep 8 fractional bits so that small samples still move them. */
#define LB_LOAD_FRAC_BITS 8

struct lb_port_load {
	uint64_t last_tx_bytes;   /* port tx byte counter at the last sample */
	uint64_t past_ewma;       /* bytes per interval << LB_LOAD_FRAC_BITS */
	uint64_t future_ewma;     /* queued bytes << LB_LOAD_FRAC_BITS */
	loom_time_ns last_sample; /* 0: never sampled */
};

struct lb_load_params {
	loom_time_ns interval_ns;  /* sampling interval (16 us) */
	loom_time_ns horizon_ns;   /* future load full scale: the flowlet idle time (256 us) */
	unsigned int ewma_shift;   /* EWMA weight of a new sample = 1 / 2^shift (SAI's exponent) */
	unsigned int past_weight;  /* mix of past and future load in the quality */
	unsigned int future_weight;
};

/* Take a sample at `now` from the port's cumulative tx byte counter and its
 * queued bytes. When several intervals passed since the last sample (an
 * idle runner sleeps), the bytes sent are spread over them and the EWMA
 * steps once per interval, so that the result does not depend on how
 * punctually the timer ran. The first sample only sets the baseline. */
void lb_port_load_sample(struct lb_port_load *l, const struct lb_load_params *p, uint64_t tx_bytes,
			 uint64_t queued_bytes, loom_time_ns now);

/* Band 0..7 of the load of a port of `rate_bps` (0 = unknown rate: 10G). */
unsigned int lb_load_band(const struct lb_port_load *l, const struct lb_load_params *p, uint64_t rate_bps);

/* The same from raw values (tests, docs): past bytes per interval and
 * queued bytes, not scaled. */
unsigned int lb_load_band_of(double past_bytes, double future_bytes, const struct lb_load_params *p,
			     uint64_t rate_bps);

#endif
