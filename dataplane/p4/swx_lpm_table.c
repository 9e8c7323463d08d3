/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An SWX table type for longest-prefix match, backed by rte_fib (IPv4,
 * DIR-24-8) and rte_fib6 (IPv6, trie): DPDK 22.11's SWX library has no LPM
 * table and runs `lpm` keys in its wildcard table, a linear search over
 * rules that cost the P4 leaf most of its route lookup.
 * Reads: the key (one 32- or 128-bit field, network byte order). Sets: the
 * entry's action id and data, or a miss.
 * swx_spec.c asks for this type only for a table whose key is one lpm
 * field, so an entry's mask always is a prefix. Tables rte_fib cannot hold (another key size, a key mask, an entry whose
 * mask is not a prefix, no memory for the FIB) are built as SWX's wildcard
 * table instead, so that a program that ran before still runs.
 * The table is rebuilt whole at each commit (no incremental add/delete):
 * rte_swx_ctl then swaps the new table in between packets.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_swx_table_wm.h>

#include "swx_lpm_table.h"

struct lpm_entry {
	uint64_t action_id;
	uint8_t data[]; /* action_data_size bytes */
};

struct lpm_table {
	struct rte_fib *fib4;   /* key_size 4 */
	struct rte_fib6 *fib6;  /* key_size 16 */
	void *wm;               /* the fallback: SWX's wildcard table */
	uint32_t key_offset;
	uint64_t miss_nh;       /* rte_fib's default next hop */
	size_t entry_size;
	uint8_t *entries;       /* n x entry_size; the FIB's next hop is the index */
};

static struct lpm_entry *entry_at(const struct lpm_table *t, uint64_t i)
{
	return (struct lpm_entry *)(t->entries + i * t->entry_size);
}

/* The prefix length of a mask, or -1 if it is not a prefix. */
static int mask_depth(const uint8_t *mask, uint32_t size)
{
	int depth = 0;
	uint32_t i = 0;

	if (!mask)
		return (int)size * 8;
	for (; i < size && mask[i] == 0xff; i++)
		depth += 8;
	if (i < size) {
		uint8_t m = mask[i++];
		while (m & 0x80) {
			depth++;
			m = (uint8_t)(m << 1);
		}
		if (m)
			return -1;
	}
	for (; i < size; i++)
		if (mask[i])
			return -1;
	return depth;
}

static bool all_ones(const uint8_t *mask, uint32_t size)
{
	for (uint32_t i = 0; mask && i < size; i++)
		if (mask[i] != 0xff)
			return false;
	return true;
}

/* Smallest next-hop width holding every entry index plus the miss value
 * (the top bit of each width is the FIB's own flag); the number of tbl8
 * groups shares that width. */
static void fib4_conf(struct rte_fib_conf *c, uint32_t n, uint32_t n_long)
{
	c->type = RTE_FIB_DIR24_8;
	c->max_routes = (int)n + 1;
	if (n + n_long < 0x7f) {
		c->dir24_8.nh_sz = RTE_FIB_DIR24_8_1B;
		c->default_nh = 0x7f;
	} else if (n + n_long < 0x7fff) {
		c->dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
		c->default_nh = 0x7fff;
	} else {
		c->dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
		c->default_nh = 0x7fffffff;
	}
	c->dir24_8.num_tbl8 = n_long + 1; /* one per prefix longer than /24, at most */
}

static void fib6_conf(struct rte_fib6_conf *c, uint32_t n, uint32_t n_long)
{
	/* a prefix longer than /24 takes up to (128 - 24) / 8 = 13 tbl8 groups */
	uint32_t tbl8 = n_long * 13 + 1;

	c->type = RTE_FIB6_TRIE;
	c->max_routes = (int)n + 1;
	if (n < 0x7fff && tbl8 < 0x7fff) {
		c->trie.nh_sz = RTE_FIB6_TRIE_2B;
		c->default_nh = 0x7fff;
	} else {
		c->trie.nh_sz = RTE_FIB6_TRIE_4B;
		c->default_nh = 0x7fffffff;
	}
	c->trie.num_tbl8 = tbl8;
}

static void lpm_free(void *table)
{
	struct lpm_table *t = table;

	if (!t)
		return;
	if (t->wm)
		rte_swx_table_wildcard_match_ops.free(t->wm);
	rte_fib_free(t->fib4);
	rte_fib6_free(t->fib6);
	rte_free(t->entries);
	rte_free(t);
}

static void *fallback(struct lpm_table *t, struct rte_swx_table_params *params,
		      struct rte_swx_table_entry_list *entries, const char *args, int numa_node, const char *why)
{
	RTE_LOG(INFO, USER1, "P4 LPM table: %s; using SWX's wildcard table\n", why);
	rte_fib_free(t->fib4);
	rte_fib6_free(t->fib6);
	t->fib4 = NULL;
	t->fib6 = NULL;
	t->wm = rte_swx_table_wildcard_match_ops.create(params, entries, args, numa_node);
	if (!t->wm) {
		lpm_free(t);
		return NULL;
	}
	return t;
}

static void *lpm_create(struct rte_swx_table_params *params, struct rte_swx_table_entry_list *entries,
			const char *args, int numa_node)
{
	static atomic_uint serial;
	struct rte_swx_table_entry *e;
	struct lpm_table *t;
	uint32_t n = 0, n_long = 0, i = 0, ks = params->key_size;
	char name[32];

	t = rte_zmalloc_socket("loom_p4_lpm", sizeof(*t), 0, numa_node);
	if (!t)
		return NULL;
	t->key_offset = params->key_offset;
	if ((ks != 4 && ks != 16) || !all_ones(params->key_mask0, ks))
		return fallback(t, params, entries, args, numa_node, "the key is not one IPv4 or IPv6 address");
	if (entries)
		TAILQ_FOREACH(e, entries, node) {
			int depth = mask_depth(e->key_mask, ks);

			if (depth < 0)
				return fallback(t, params, entries, args, numa_node, "an entry's mask is not a prefix");
			n++;
			n_long += depth > 24;
		}
	t->entry_size = RTE_ALIGN_CEIL(sizeof(struct lpm_entry) + params->action_data_size, 8);
	t->entries = rte_zmalloc_socket("loom_p4_lpm_entries", (n ? n : 1) * t->entry_size, 0, numa_node);
	if (!t->entries) {
		lpm_free(t);
		return NULL;
	}
	snprintf(name, sizeof(name), "swxlpm%u", atomic_fetch_add(&serial, 1));
	if (ks == 4) {
		struct rte_fib_conf c = {0};

		fib4_conf(&c, n, n_long);
		t->miss_nh = c.default_nh;
		t->fib4 = rte_fib_create(name, numa_node, &c);
	} else {
		struct rte_fib6_conf c = {0};

		fib6_conf(&c, n, n_long);
		t->miss_nh = c.default_nh;
		t->fib6 = rte_fib6_create(name, numa_node, &c);
	}
	if (!t->fib4 && !t->fib6)
		return fallback(t, params, entries, args, numa_node, "rte_fib cannot be created (memory)");
	if (entries)
		TAILQ_FOREACH(e, entries, node) {
			struct lpm_entry *le = entry_at(t, i);
			int depth = mask_depth(e->key_mask, ks), rc;

			le->action_id = e->action_id;
			if (params->action_data_size && e->action_data)
				memcpy(le->data, e->action_data, params->action_data_size);
			if (ks == 4) {
				uint32_t ip;

				memcpy(&ip, e->key, 4);
				ip = rte_be_to_cpu_32(ip);
				ip = depth ? ip & ~((1ull << (32 - depth)) - 1) : 0;
				rc = rte_fib_add(t->fib4, ip, (uint8_t)depth, i);
			} else {
				uint8_t ip[16];

				for (int b = 0; b < 16; b++) /* rte_fib6 wants the host bits clear */
					ip[b] = (uint8_t)(e->key[b] & (e->key_mask ? e->key_mask[b] : 0xff));
				rc = rte_fib6_add(t->fib6, ip, (uint8_t)depth, i);
			}
			if (rc)
				return fallback(t, params, entries, args, numa_node, "rte_fib refused an entry (tbl8 full)");
			i++;
		}
	return t;
}

static uint64_t lpm_mailbox_size(void)
{
	/* the fallback's lookups use the mailbox; rte_fib's do not */
	return rte_swx_table_wildcard_match_ops.mailbox_size_get ? rte_swx_table_wildcard_match_ops.mailbox_size_get()
								 : 0;
}

static int lpm_lookup(void *table, void *mailbox, uint8_t **key, uint64_t *action_id, uint8_t **action_data,
		      size_t *entry_id, int *hit)
{
	struct lpm_table *t = table;
	const uint8_t *k = &(*key)[t->key_offset];
	uint64_t nh;

	if (t->fib4) {
		uint32_t ip;

		memcpy(&ip, k, 4);
		ip = rte_be_to_cpu_32(ip);
		rte_fib_lookup_bulk(t->fib4, &ip, &nh, 1);
	} else if (t->fib6) {
		uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];

		memcpy(ip[0], k, RTE_FIB6_IPV6_ADDR_SIZE);
		rte_fib6_lookup_bulk(t->fib6, ip, &nh, 1);
	} else {
		return rte_swx_table_wildcard_match_ops.lkp(t->wm, mailbox, key, action_id, action_data, entry_id,
							     hit);
	}
	if (nh == t->miss_nh) {
		*hit = 0;
		return 1;
	}
	struct lpm_entry *le = entry_at(t, nh);
	*action_id = le->action_id;
	*action_data = le->data;
	*entry_id = (size_t)nh;
	*hit = 1;
	return 1;
}

static struct rte_swx_table_ops lpm_ops = {
	.footprint_get = NULL,
	.mailbox_size_get = lpm_mailbox_size,
	.create = lpm_create,
	.add = NULL, /* rebuilt whole at each commit */
	.del = NULL,
	.lkp = lpm_lookup,
	.free = lpm_free,
};

int loom_swx_lpm_table_register(struct rte_swx_pipeline *p)
{
	return rte_swx_pipeline_table_type_register(p, LOOM_SWX_LPM_TABLE_TYPE, RTE_SWX_TABLE_MATCH_WILDCARD,
						    &lpm_ops);
}
