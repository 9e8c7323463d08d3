/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's route table (prefix -> ECMP group index), IPv4 and IPv6,
 * shared by every switch with the same routes and group count (the spines
 * of a pod, the super-spines of a fat tree): loaded once, referenced by
 * each (`refs`). Groups, next hops and MACs stay per switch, so sharing
 * a table shares no forwarding decision that differs between them.
 *
 * Per family, one of:
 *  - LOOM_RT_FAST: DPDK's rte_fib DIR-24-8 / rte_fib6 trie (fast, 16-32 MB
 *    each: small fabrics, config.h's LOOM_FAST_FIB*_MAX_SWITCHES);
 *  - LOOM_RT_RIB: rte_fib's RIB-only kind (a P4 switch's tables are filled
 *    by walking the RIB: p4/p4_tables.c);
 *  - LOOM_RT_LPM: loom/route/lpm.h in plain memory (everything else: no
 *    DPDK memzone per table, whose 2560 in all a large fabric would use up).
 *
 * Every change of a switch's routes goes through loom_switch_route_set():
 * when the table is shared it first gets a copy of its own (copy on
 * write), so a change to one switch never reaches another.
 */
#ifndef LOOM_ROUTE_TABLE_H
#define LOOM_ROUTE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loom/route/lpm.h"

struct rte_fib;
struct rte_fib6;
struct loom_switch;

enum loom_rt_kind { LOOM_RT_FAST = 0, LOOM_RT_RIB, LOOM_RT_LPM };

struct loom_route_table_cfg {
	enum loom_rt_kind kind4, kind6;
	uint32_t n_routes; /* expected (rte_fib's max_routes: +16) */
	uint32_t n_groups; /* the next-hop width of DIR-24-8 / trie */
};

struct loom_route_table {
	uint32_t refs; /* switches using it */
	uint32_t id;   /* unique per process: DPDK object names */
	struct loom_route_table_cfg cfg;
	struct rte_fib *fib4;   /* kind4 != LPM */
	struct rte_fib6 *fib6;  /* kind6 != LPM */
	uint64_t fib4_no_route; /* the value a lookup gives for no route */
	uint64_t fib6_no_route;
	struct loom_lpm lpm;    /* the LPM family or families */
};

/* A new empty table, refs 0. NULL with a message. */
struct loom_route_table *loom_route_table_create(const struct loom_route_table_cfg *cfg, char *err, size_t errlen);
/* One switch fewer uses it; freed at none. */
void loom_route_table_put(struct loom_route_table *t);

/* sw uses t from now on (and lets go of its previous table). */
void loom_switch_route_table_attach(struct loom_switch *sw, struct loom_route_table *t);

/* The one function through which a switch's routes change: add or
 * replace (group < LOOM_LPM_NONE) or remove (group == LOOM_LPM_NONE) the
 * prefix addr/len of `family` (4: addr's first 4 bytes, network order; 6).
 * A shared table is copied first (copy on write). Each change counts in
 * sw->routes_changed. 0, or -1 with a message (bad length, no memory; the
 * switch's routes are unchanged). */
int loom_switch_route_set(struct loom_switch *sw, int family, const uint8_t addr[16], uint8_t len, uint32_t group,
			  char *err, size_t errlen);

/* Every route of t, one call of fn each, in no particular order: family
 * 4 or 6, the prefix (network order, IPv4 in the first 4 bytes; host bits
 * clear), its length and its group. A non-zero return of fn stops the
 * walk and is returned. For readers that follow the routes as they are
 * now (the fault repair's index), not as the configuration said. */
typedef int (*loom_route_visit_fn)(void *ctx, int family, const uint8_t addr[16], uint8_t len, uint32_t group);
int loom_route_table_walk(const struct loom_route_table *t, loom_route_visit_fn fn, void *ctx);

/* Bytes the table holds, for loomd's memory by purpose (DPDK's tables:
 * their first levels and node pools as configured). */
size_t loom_route_table_bytes(const struct loom_route_table *t);

#endif
