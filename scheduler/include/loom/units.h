/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOM_UNITS_H
#define LOOM_UNITS_H
/* Sizes as every Loom file writes them (topology, traffic manager,
 * workloads, control requests): one reader, so that "64KiB" means the same
 * everywhere. */
#include <stdint.h>

/* A size in bytes: a number starting with a digit, then optionally spaces
 * and a unit, case-insensitive: B, K/KB (1e3), M/MB, G/GB, T/TB, Ki/KiB
 * (1024), Mi/MiB, Gi/GiB. The result must be a whole number of bytes below
 * 1e18. 0 on success, -1 otherwise; callers bound the value. */
int loom_parse_bytes(const char *s, uint64_t *out);

#endif
