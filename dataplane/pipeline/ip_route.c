/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookup, and the one function that changes a switch's routes
 * (loading the configuration, the control plane's repair after a fault):
 * route tables that switches share later can copy on write there.
 *
 * Lookup. Reads: the destination address from the packet metadata.
 * Sets: the ECMP group of the longest matching prefix, or LOOM_GROUP_NONE.
 * DPDK's rte_fib (DIR-24-8) and rte_fib6 (trie) do the longest-prefix
 * match; lookups are done per burst and per family, which is what their
 * bulk API is made for. A large fabric's tables are loom/route/lpm.h's
 * instead (core/route_table.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>

#include "stages.h"

void ip_route_lookup_burst(const struct loom_switch *sw, const struct loom_pkt_meta *const *meta,
			   uint16_t n, uint32_t *groups)
{
	uint32_t ip4[LOOM_BURST];
	uint8_t ip6[LOOM_BURST][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh4[LOOM_BURST], nh6[LOOM_BURST];
	uint16_t idx4[LOOM_BURST], idx6[LOOM_BURST];
	uint16_t n4 = 0, n6 = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct loom_flow_key *k = &meta[i]->key;

		if (k->family == LOOM_FLOW_IPV4) {
			uint32_t be;
			memcpy(&be, k->dst, 4);
			ip4[n4] = rte_be_to_cpu_32(be);
			idx4[n4++] = i;
		} else {
			memcpy(ip6[n6], k->dst, 16);
			idx6[n6++] = i;
		}
	}
	if (n4 > 0) {
		loom_route_lookup4_bulk(sw, ip4, nh4, n4);
		for (uint16_t j = 0; j < n4; j++)
			groups[idx4[j]] = nh4[j] == sw->fib4_no_route ? LOOM_GROUP_NONE : (uint32_t)nh4[j];
	}
	if (n6 > 0) {
		if (likely(sw->fib6 != NULL))
			rte_fib6_lookup_bulk(sw->fib6, ip6, nh6, n6);
		else
			for (uint16_t j = 0; j < n6; j++)
				nh6[j] = loom_lpm_lookup6(sw->lpm, ip6[j]);
		for (uint16_t j = 0; j < n6; j++)
			groups[idx6[j]] = nh6[j] == sw->fib6_no_route ? LOOM_GROUP_NONE : (uint32_t)nh6[j];
	}
}
