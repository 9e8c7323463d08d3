/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/clock.h"

static loom_time_ns fake_clock_now(const struct loom_clock *clock)
{
	const struct loom_fake_clock *fc = clock->ctx;
	return fc->t;
}

void loom_fake_clock_init(struct loom_fake_clock *fc, loom_time_ns start)
{
	fc->t = start;
	fc->clock.now = fake_clock_now;
	fc->clock.ctx = fc;
}
