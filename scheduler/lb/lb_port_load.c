/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/lb/lb_port_load.h"

#define MAX_CATCH_UP_STEPS 64 /* past this, the EWMA has forgotten the old value anyway */

static uint64_t ewma_step(uint64_t ewma, uint64_t sample_scaled, unsigned int shift)
{
	if (sample_scaled >= ewma)
		return ewma + ((sample_scaled - ewma) >> shift);
	return ewma - ((ewma - sample_scaled) >> shift);
}

void lb_port_load_sample(struct lb_port_load *l, const struct lb_load_params *p, uint64_t tx_bytes,
			 uint64_t queued_bytes, loom_time_ns now)
{
	uint64_t steps, sent, per_interval;

	if (l->last_sample == 0 || now <= l->last_sample) {
		if (l->last_sample == 0) {
			l->last_tx_bytes = tx_bytes;
			l->last_sample = now ? now : 1;
		}
		return;
	}
	steps = (now - l->last_sample) / p->interval_ns;
	if (steps == 0)
		return;
	sent = tx_bytes - l->last_tx_bytes;
	per_interval = (sent << LB_LOAD_FRAC_BITS) / steps;
	for (uint64_t i = 0; i < steps && i < MAX_CATCH_UP_STEPS; i++) {
		l->past_ewma = ewma_step(l->past_ewma, per_interval, p->ewma_shift);
		l->future_ewma = ewma_step(l->future_ewma, queued_bytes << LB_LOAD_FRAC_BITS, p->ewma_shift);
	}
	l->last_tx_bytes = tx_bytes;
	l->last_sample += steps * p->interval_ns;
}

unsigned int lb_load_band_of(double past_bytes, double future_bytes, const struct lb_load_params *p,
			     uint64_t rate_bps)
{
	double bytes_per_ns = (double)(rate_bps ? rate_bps : 10000000000ull) / 8e9;
	double past = past_bytes / (bytes_per_ns * (double)p->interval_ns);
	double future = future_bytes / (bytes_per_ns * (double)p->horizon_ns);
	double mix;
	unsigned int band;

	past = past > 1.0 ? 1.0 : past;
	future = future > 1.0 ? 1.0 : future;
	mix = (past * p->past_weight + future * p->future_weight) / (double)(p->past_weight + p->future_weight);
	band = (unsigned int)(mix * LB_QUALITY_BANDS);
	return band >= LB_QUALITY_BANDS ? LB_QUALITY_BANDS - 1 : band;
}

unsigned int lb_load_band(const struct lb_port_load *l, const struct lb_load_params *p, uint64_t rate_bps)
{
	const double scale = (double)(1u << LB_LOAD_FRAC_BITS);

	return lb_load_band_of((double)l->past_ewma / scale, (double)l->future_ewma / scale, p, rate_bps);
}
