/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SWX table type "loom_lpm": longest-prefix match on one IPv4 or IPv6
 * address, backed by rte_fib/rte_fib6 (swx_lpm_table.c). Registered on a
 * pipeline before its tables are configured, it serves every `lpm` table
 * (swx_spec.c asks for it for a table whose key is one lpm field).
 */
#ifndef LOOM_SWX_LPM_TABLE_H
#define LOOM_SWX_LPM_TABLE_H

#include <rte_swx_pipeline.h>

/* Its name; it is registered as a wildcard-match type, because DPDK 22.11
 * resolves lpm keys to wildcard match, and so serves only the tables that
 * ask for it by name. */
#define LOOM_SWX_LPM_TABLE_TYPE "loom_lpm"

/* Memory of a program's two route tables at most, in MB: an rte_fib
 * DIR-24-8 (2^24 next hops of 1 or 2 bytes: 16 or 32 MB) and an rte_fib6
 * trie (32 MB), twice (a commit builds the new table before freeing the
 * old). Bigger tables (> 0x7fff entries) take more; without the memory a
 * table is built as DPDK's wildcard table instead. */
#define LOOM_SWX_LPM_TABLES_MB 128

/* Returns 0, or DPDK's negative errno. */
int loom_swx_lpm_table_register(struct rte_swx_pipeline *p);

#endif
