/* SPDX-License-Identifier: BSD-3-Clause */
/* ECMP member selection: maps a flow hash onto one of n group members. */
#ifndef LOOM_ECMP_H
#define LOOM_ECMP_H

#include <stdint.h>

/* Member index in [0, n_members) for `hash`. Uses multiply-shift
 * (Lemire's "fast range") instead of modulo: unbiased enough for any n
 * and no division on the hot path. n_members must be > 0. */
static inline uint32_t loom_ecmp_select(uint32_t hash, uint32_t n_members)
{
	return (uint32_t)(((uint64_t)hash * n_members) >> 32);
}

#endif
