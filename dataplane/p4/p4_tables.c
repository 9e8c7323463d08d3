/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fill a P4 switch's tables from the switch the configuration built: the
 * routes of its rte_fib/rte_fib6 (walked through their RIBs, so the P4 and
 * native switches hold the very same routes), its ECMP groups and next hops.
 *
 * The program's control-plane interface (names in p4/loom.p4 and loom.spec):
 *   route_v4, route_v6  LPM on the destination -> set_group(group_id)
 *   ecmp_sel            selector: group = Loom group index, member = next
 *                       hop index (a next hop listed k times weighs k)
 *   ecmp_member         exact on the member -> set_nexthop(port, dst_mac, src_mac)
 *   hash_seed [0]       the switch's hash seed (register, optional)
 *
 * Entries are built as bytes from DPDK's table and action descriptions
 * (rte_swx_ctl_*_info_get) rather than as text for
 * rte_swx_ctl_pipeline_table_entry_read(): its text form cannot express a
 * mask on a 128-bit field, which IPv6 prefixes need.
 */
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "p4_internal.h"

#define ENTRY_BYTES_MAX 64

struct table_desc {
	const char *name;
	uint32_t id;
	uint32_t n_fields;
	struct rte_swx_ctl_table_match_field_info mf[4];
	uint32_t key_offset; /* bytes, of the first match field in its struct */
	uint32_t key_size;
};

struct action_desc {
	const char *name;
	uint32_t id;
	uint32_t n_args;
	struct rte_swx_ctl_action_arg_info arg[8];
};

static int find_table(struct rte_swx_pipeline *p, const char *name, struct table_desc *t, char *err, size_t errlen)
{
	struct rte_swx_ctl_pipeline_info pi;
	struct rte_swx_ctl_table_info ti;

	rte_swx_ctl_pipeline_info_get(p, &pi);
	for (uint32_t i = 0; i < pi.n_tables; i++) {
		uint32_t end = 0, start = UINT32_MAX;

		if (rte_swx_ctl_table_info_get(p, i, &ti) || strcmp(ti.name, name))
			continue;
		if (ti.n_match_fields == 0 || ti.n_match_fields > RTE_DIM(t->mf)) {
			snprintf(err, errlen, "table %s: %u match fields, Loom fills tables of 1 to %zu", name,
				 ti.n_match_fields, RTE_DIM(t->mf));
			return -1;
		}
		t->name = name;
		t->id = i;
		t->n_fields = ti.n_match_fields;
		for (uint32_t f = 0; f < t->n_fields; f++) {
			rte_swx_ctl_table_match_field_info_get(p, i, f, &t->mf[f]);
			start = RTE_MIN(start, t->mf[f].offset);
			end = RTE_MAX(end, t->mf[f].offset + t->mf[f].n_bits);
		}
		t->key_offset = start / 8;
		t->key_size = (end - start) / 8;
		if (t->key_size > ENTRY_BYTES_MAX) {
			snprintf(err, errlen, "table %s: key of %u bytes, Loom fills keys of up to %d", name,
				 t->key_size, ENTRY_BYTES_MAX);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "the program has no table '%s' (the tables Loom fills: dataplane/p4/p4_tables.c)",
		 name);
	return -1;
}

static int find_action(struct rte_swx_pipeline *p, const char *name, uint32_t n_args, struct action_desc *a,
		       char *err, size_t errlen)
{
	struct rte_swx_ctl_pipeline_info pi;
	struct rte_swx_ctl_action_info ai;

	rte_swx_ctl_pipeline_info_get(p, &pi);
	for (uint32_t i = 0; i < pi.n_actions; i++) {
		if (rte_swx_ctl_action_info_get(p, i, &ai) || strcmp(ai.name, name))
			continue;
		if (ai.n_args != n_args) {
			snprintf(err, errlen, "action %s has %u arguments, Loom passes %u", name, ai.n_args, n_args);
			return -1;
		}
		a->name = name;
		a->id = i;
		a->n_args = n_args;
		for (uint32_t k = 0; k < n_args; k++)
			rte_swx_ctl_action_arg_info_get(p, i, k, &a->arg[k]);
		return 0;
	}
	snprintf(err, errlen, "the program has no action '%s'", name);
	return -1;
}

/* Write `n_bits` of `val` at `dst`: network order (header fields, and
 * action arguments the action moves into a header) or host order. */
static void put_value(uint8_t *dst, uint64_t val, uint32_t n_bits, int network_order)
{
	uint32_t n = n_bits / 8;

	if (network_order) {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = (uint8_t)(val >> (8 * (n - 1 - i)));
	} else {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = (uint8_t)(val >> (8 * i));
	}
}

static uint64_t mac_value(const struct rte_ether_addr *a)
{
	uint64_t v = 0;
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v = v << 8 | a->addr_bytes[i];
	return v;
}

/* Add one entry: `key`/`mask` are the single match field's bytes in the
 * field's own order (see put_value), `args` the action's argument values. */
static int entry_add(struct loom_p4 *x, const struct table_desc *t, const uint8_t *key, const uint8_t *mask,
		     uint32_t priority, const struct action_desc *a, const uint64_t *args, char *err, size_t errlen)
{
	uint8_t k[ENTRY_BYTES_MAX] = {0}, km[ENTRY_BYTES_MAX] = {0}, data[ENTRY_BYTES_MAX] = {0};
	const struct rte_swx_ctl_table_match_field_info *mf = &t->mf[0];
	uint32_t off = mf->offset / 8 - t->key_offset, data_len = 0;
	struct rte_swx_table_entry e = {0};
	int rc;

	memcpy(&k[off], key, mf->n_bits / 8);
	memcpy(&km[off], mask, mf->n_bits / 8);
	for (uint32_t i = 0; i < a->n_args; i++) {
		put_value(&data[data_len], args[i], a->arg[i].n_bits, a->arg[i].is_network_byte_order);
		data_len += a->arg[i].n_bits / 8;
	}
	e.key = k;
	e.key_mask = km;
	e.key_priority = priority;
	e.action_id = a->id;
	e.action_data = data;
	rc = rte_swx_ctl_pipeline_table_entry_add(x->ctl, t->name, &e);
	if (rc) {
		snprintf(err, errlen, "table %s: cannot add an entry for action %s: %s", t->name, a->name, strerror(-rc));
		return -1;
	}
	return 0;
}

static int add_route_v4(struct loom_p4 *x, const struct table_desc *t, const struct action_desc *set_group,
			const struct rte_rib_node *node, char *err, size_t errlen)
{
	uint32_t ip, m;
	uint8_t depth, key[4], mask[4];
	uint64_t nh;

	rte_rib_get_ip(node, &ip);
	rte_rib_get_depth(node, &depth);
	rte_rib_get_nh(node, &nh);
	m = depth ? ~0u << (32 - depth) : 0;
	put_value(key, ip & m, 32, 1);
	put_value(mask, m, 32, 1);
	return entry_add(x, t, key, mask, 32 - depth, set_group, &nh, err, errlen);
}

static int fill_routes_v4(struct loom_p4 *x, const struct action_desc *set_group, char *err, size_t errlen)
{
	struct rte_rib *rib = rte_fib_get_rib(x->sw->fib4);
	struct rte_rib_node *node = NULL;
	struct table_desc t;
	bool saw_default = false;

	if (find_table(x->pipe, "route_v4", &t, err, errlen) < 0)
		return -1;
	if (t.mf[0].n_bits != 32 || !t.mf[0].is_header) {
		snprintf(err, errlen, "table route_v4: key must be the 32-bit IPv4 destination");
		return -1;
	}
	while ((node = rte_rib_get_nxt(rib, 0, 0, node, RTE_RIB_GET_NXT_ALL)) != NULL) {
		uint8_t depth;

		rte_rib_get_depth(node, &depth);
		saw_default |= depth == 0;
		if (add_route_v4(x, &t, set_group, node, err, errlen) < 0)
			return -1;
	}
	/* The walk may not list 0/0 itself (the default route). */
	if (!saw_default && (node = rte_rib_lookup_exact(rib, 0, 0)) != NULL)
		return add_route_v4(x, &t, set_group, node, err, errlen);
	return 0;
}

static int add_route_v6(struct loom_p4 *x, const struct table_desc *t, const struct action_desc *set_group,
			const struct rte_rib6_node *node, char *err, size_t errlen)
{
	uint8_t ip[16], mask[16] = {0}, depth;
	uint64_t nh;

	rte_rib6_get_ip(node, ip);
	rte_rib6_get_depth(node, &depth);
	rte_rib6_get_nh(node, &nh);
	for (int b = 0; b < depth; b++)
		mask[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	for (int i = 0; i < 16; i++)
		ip[i] &= mask[i];
	return entry_add(x, t, ip, mask, 128 - depth, set_group, &nh, err, errlen);
}

static int fill_routes_v6(struct loom_p4 *x, const struct action_desc *set_group, char *err, size_t errlen)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(x->sw->fib6);
	static const uint8_t zero[16];
	struct rte_rib6_node *node = NULL;
	struct table_desc t;
	bool saw_default = false;

	if (find_table(x->pipe, "route_v6", &t, err, errlen) < 0)
		return -1;
	if (t.mf[0].n_bits != 128 || !t.mf[0].is_header) {
		snprintf(err, errlen, "table route_v6: key must be the 128-bit IPv6 destination");
		return -1;
	}
	while ((node = rte_rib6_get_nxt(rib, zero, 0, node, RTE_RIB6_GET_NXT_ALL)) != NULL) {
		uint8_t depth;

		rte_rib6_get_depth(node, &depth);
		saw_default |= depth == 0;
		if (add_route_v6(x, &t, set_group, node, err, errlen) < 0)
			return -1;
	}
	if (!saw_default && (node = rte_rib6_lookup_exact(rib, zero, 0)) != NULL)
		return add_route_v6(x, &t, set_group, node, err, errlen);
	return 0;
}

static int fill_nexthops(struct loom_p4 *x, char *err, size_t errlen)
{
	struct loom_switch *sw = x->sw;
	struct action_desc set_nh;
	struct table_desc t;

	if (find_table(x->pipe, "ecmp_member", &t, err, errlen) < 0 ||
	    find_action(x->pipe, "set_nexthop", 3, &set_nh, err, errlen) < 0)
		return -1;
	if (t.mf[0].n_bits != 32 || t.mf[0].is_header) {
		snprintf(err, errlen, "table ecmp_member: key must be a 32-bit metadata field (the member id)");
		return -1;
	}
	for (uint32_t i = 0; i < sw->n_nexthops; i++) {
		const struct loom_nexthop *nh = &sw->nexthops[i];
		uint64_t args[3] = {nh->port, mac_value(&nh->dst_mac), mac_value(&nh->src_mac)};
		uint8_t key[4], mask[4] = {0xff, 0xff, 0xff, 0xff};

		put_value(key, i, 32, 0);
		if (entry_add(x, &t, key, mask, 0, &set_nh, args, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int fill_groups(struct loom_p4 *x, char *err, size_t errlen)
{
	struct loom_switch *sw = x->sw;
	int rc;

	/* the configuration's groups: the repair's spares (fault_repair.c) are not the program's */
	for (uint32_t g = 0; g < sw->spare_groups_first; g++) {
		const struct loom_group *grp = &sw->groups[g];
		uint32_t id;

		rc = rte_swx_ctl_pipeline_selector_group_add(x->ctl, "ecmp_sel", &id);
		if (rc || id != g) {
			snprintf(err, errlen, "selector ecmp_sel: cannot add group %u: %s", g,
				 rc ? strerror(-rc) : "ids out of order");
			return -1;
		}
		for (uint16_t i = 0; i < grp->n_members; i++) {
			uint32_t nh = sw->members[grp->first + i], weight = 0;
			bool seen = false;

			for (uint16_t j = 0; j < grp->n_members; j++) {
				seen |= j < i && sw->members[grp->first + j] == nh;
				weight += sw->members[grp->first + j] == nh;
			}
			if (seen)
				continue;
			rc = rte_swx_ctl_pipeline_selector_group_member_add(x->ctl, "ecmp_sel", g, nh, weight);
			if (rc) {
				snprintf(err, errlen, "selector ecmp_sel: group %u: cannot add next hop %u: %s", g, nh,
					 strerror(-rc));
				return -1;
			}
		}
	}
	return 0;
}

int loom_p4_tables_fill(struct loom_p4 *x, char *err, size_t errlen)
{
	struct action_desc set_group;
	int rc;

	x->ctl = rte_swx_ctl_pipeline_create(x->pipe);
	if (!x->ctl) {
		snprintf(err, errlen, "cannot create the SWX control object");
		return -1;
	}
	if (find_action(x->pipe, "set_group", 1, &set_group, err, errlen) < 0 ||
	    fill_routes_v4(x, &set_group, err, errlen) < 0 || fill_routes_v6(x, &set_group, err, errlen) < 0 ||
	    fill_nexthops(x, err, errlen) < 0 || fill_groups(x, err, errlen) < 0)
		return -1;
	rc = rte_swx_ctl_pipeline_commit(x->ctl, 1);
	if (rc) {
		snprintf(err, errlen, "cannot commit the table entries: %s", strerror(-rc));
		return -1;
	}
	x->committed = true; /* loom_p4_free: what the pipeline and its control share from now on */
	/* Optional register: a program without it hashes unseeded. */
	(void)rte_swx_ctl_pipeline_regarray_write(x->pipe, "hash_seed", 0, x->sw->hash_seed);
	return 0;
}
