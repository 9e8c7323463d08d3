/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/sim/link.h"

loom_time_ns loom_link_serialization_ns(uint64_t bytes, uint64_t rate_bps)
{
	__extension__ typedef unsigned __int128 u128;
	u128 bits_ns, ns;

	if (rate_bps == 0)
		return LOOM_TIME_NEVER;
	/* bytes * 8 * 1e9 < 2^64 * 2^33 = 2^97: no overflow. */
	bits_ns = (u128)bytes * 8u * LOOM_NS_PER_S;
	ns = (bits_ns + rate_bps - 1) / rate_bps;
	return ns >= LOOM_TIME_NEVER ? LOOM_TIME_NEVER : (loom_time_ns)ns;
}

static inline loom_time_ns sat_add(loom_time_ns x, loom_time_ns y)
{
	return x > LOOM_TIME_NEVER - y ? LOOM_TIME_NEVER : x + y;
}

loom_time_ns loom_link_delivery_time(loom_time_ns t_start, uint64_t bytes, uint64_t rate_bps,
				     loom_time_ns delay_ns)
{
	return sat_add(sat_add(t_start, loom_link_serialization_ns(bytes, rate_bps)), delay_ns);
}
