/* SPDX-License-Identifier: BSD-3-Clause */
/* Route tables shared by switches with the same routes: route_table.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "route_table.h"
#include "switch.h"

/* Smallest DIR-24-8 next-hop width that holds every group index plus the
 * no-route value (the top bit of each width is the table's own flag). */
static enum rte_fib_dir24_8_nh_sz fib4_nh_size(uint32_t n_groups, uint64_t *no_route)
{
	if (n_groups < 0x7f) {
		*no_route = 0x7f;
		return RTE_FIB_DIR24_8_1B;
	}
	if (n_groups < 0x7fff) {
		*no_route = 0x7fff;
		return RTE_FIB_DIR24_8_2B;
	}
	*no_route = 0x7fffffff;
	return RTE_FIB_DIR24_8_4B;
}

static void fib4_conf(struct rte_fib_conf *conf, struct loom_route_table *t)
{
	conf->max_routes = (int)t->cfg.n_routes + 16;
	if (t->cfg.kind4 == LOOM_RT_FAST) {
		conf->type = RTE_FIB_DIR24_8;
		conf->dir24_8.nh_sz = fib4_nh_size(t->cfg.n_groups, &t->fib4_no_route);
		/* tbl8 groups hold prefixes longer than /24 (the leaves' host
		 * routes); their indices share the next-hop width. */
		conf->dir24_8.num_tbl8 = (uint32_t)RTE_MIN(t->fib4_no_route, 1024u);
	} else {
		conf->type = RTE_FIB_DUMMY;
		t->fib4_no_route = UINT32_MAX;
	}
	conf->default_nh = t->fib4_no_route;
}

static void fib6_conf(struct rte_fib6_conf *conf, struct loom_route_table *t)
{
	conf->max_routes = (int)t->cfg.n_routes + 16;
	if (t->cfg.kind6 == LOOM_RT_FAST) {
		conf->type = RTE_FIB6_TRIE;
		conf->trie.nh_sz = RTE_FIB6_TRIE_2B;
		conf->trie.num_tbl8 = 256;
		t->fib6_no_route = 0x7fff;
		if (t->cfg.n_groups >= 0x7fff) {
			conf->trie.nh_sz = RTE_FIB6_TRIE_4B;
			t->fib6_no_route = 0x7fffffff;
		}
	} else {
		conf->type = RTE_FIB6_DUMMY;
		t->fib6_no_route = UINT32_MAX;
	}
	conf->default_nh = t->fib6_no_route;
}

struct loom_route_table *loom_route_table_create(const struct loom_route_table_cfg *cfg, char *err, size_t errlen)
{
	static uint32_t next_id;
	struct loom_route_table *t = calloc(1, sizeof(*t));
	char name[32];

	if (!t || loom_lpm_init(&t->lpm, cfg->kind4 == LOOM_RT_LPM || cfg->kind6 == LOOM_RT_LPM ? cfg->n_routes : 0) < 0) {
		free(t);
		snprintf(err, errlen, "cannot create a route table: out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->id = next_id++;
	t->fib4_no_route = t->fib6_no_route = LOOM_LPM_NONE;
	if (cfg->kind4 != LOOM_RT_LPM) {
		struct rte_fib_conf conf4 = {0};

		fib4_conf(&conf4, t);
		snprintf(name, sizeof(name), "fib4_%u", t->id);
		t->fib4 = rte_fib_create(name, SOCKET_ID_ANY, &conf4);
	}
	if (cfg->kind6 != LOOM_RT_LPM) {
		struct rte_fib6_conf conf6 = {0};

		fib6_conf(&conf6, t);
		snprintf(name, sizeof(name), "fib6_%u", t->id);
		t->fib6 = rte_fib6_create(name, SOCKET_ID_ANY, &conf6);
	}
	if ((cfg->kind4 != LOOM_RT_LPM && !t->fib4) || (cfg->kind6 != LOOM_RT_LPM && !t->fib6)) {
		snprintf(err, errlen, "cannot create route tables: %s (more hugepages, or fewer switches per loomd)",
			 rte_strerror(rte_errno));
		loom_route_table_put(t);
		return NULL;
	}
	return t;
}

void loom_route_table_put(struct loom_route_table *t)
{
	if (!t || (t->refs > 0 && --t->refs > 0))
		return;
	rte_fib_free(t->fib4);
	rte_fib6_free(t->fib6);
	loom_lpm_free(&t->lpm);
	free(t);
}

void loom_switch_route_table_attach(struct loom_switch *sw, struct loom_route_table *t)
{
	struct loom_route_table *old = sw->routes;

	t->refs++;
	sw->routes = t;
	/* what the data path reads, next to the rest of the switch */
	sw->fib4 = t->fib4;
	sw->fib6 = t->fib6;
	sw->fib4_no_route = t->fib4_no_route;
	sw->fib6_no_route = t->fib6_no_route;
	sw->lpm = t->cfg.kind4 == LOOM_RT_LPM || t->cfg.kind6 == LOOM_RT_LPM ? &t->lpm : NULL;
	loom_route_table_put(old);
}

static int table_set(struct loom_route_table *t, int family, const uint8_t addr[16], uint8_t len, uint32_t group)
{
	bool del = group == LOOM_LPM_NONE;
	int rc;

	if (family == 4) {
		uint32_t be, ip;

		memcpy(&be, addr, 4);
		ip = rte_be_to_cpu_32(be);
		if (len > 32)
			return -EINVAL;
		if (len < 32) /* rte_fib wants the host bits clear */
			ip &= len ? ~0u << (32 - len) : 0;
		if (t->cfg.kind4 == LOOM_RT_LPM)
			return loom_lpm_set4(&t->lpm, ip, len, group) < 0 ? -ENOMEM : 0;
		rc = del ? rte_fib_delete(t->fib4, ip, len) : rte_fib_add(t->fib4, ip, len, group);
		return rc == -ENOENT && del ? 0 : rc;
	}
	if (len > 128)
		return -EINVAL;
	if (t->cfg.kind6 == LOOM_RT_LPM)
		return loom_lpm_set6(&t->lpm, addr, len, group) < 0 ? -ENOMEM : 0;

	uint8_t ip[16];

	memcpy(ip, addr, 16);
	for (int b = len; b < 128; b++)
		ip[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	rc = del ? rte_fib6_delete(t->fib6, ip, len) : rte_fib6_add(t->fib6, ip, len, group);
	return rc == -ENOENT && del ? 0 : rc;
}

int loom_route_table_walk(const struct loom_route_table *t, loom_route_visit_fn fn, void *ctx)
{
	static const uint8_t zero[16];
	uint8_t addr[16];
	uint32_t be;
	int rc = 0;

	if (t->lpm.slots)
		for (uint32_t i = 0; rc == 0 && i <= t->lpm.mask; i++) {
			const struct loom_lpm_slot *s = &t->lpm.slots[i];

			if (s->plen == 0)
				continue;
			memset(addr, 0, sizeof(addr));
			if ((s->plen >> 8) == 1) {
				be = rte_cpu_to_be_32((uint32_t)s->lo);
				memcpy(addr, &be, 4);
				rc = fn(ctx, 4, addr, (uint8_t)s->plen, s->value);
			} else {
				for (int b = 0; b < 8; b++) {
					addr[b] = (uint8_t)(s->hi >> (56 - 8 * b));
					addr[8 + b] = (uint8_t)(s->lo >> (56 - 8 * b));
				}
				rc = fn(ctx, 6, addr, (uint8_t)s->plen, s->value);
			}
		}
	if (t->fib4) {
		struct rte_rib *rib = rte_fib_get_rib(t->fib4);
		struct rte_rib_node *node = NULL;
		uint32_t ip;
		uint8_t depth;
		uint64_t nh;

		/* the walk lists every prefix but maybe 0/0: asked apart */
		while (rc == 0 && (node = rte_rib_get_nxt(rib, 0, 0, node, RTE_RIB_GET_NXT_ALL)) != NULL) {
			rte_rib_get_ip(node, &ip);
			rte_rib_get_depth(node, &depth);
			rte_rib_get_nh(node, &nh);
			if (depth == 0)
				continue;
			memset(addr, 0, sizeof(addr));
			be = rte_cpu_to_be_32(ip);
			memcpy(addr, &be, 4);
			rc = fn(ctx, 4, addr, depth, (uint32_t)nh);
		}
		if (rc == 0 && (node = rte_rib_lookup_exact(rib, 0, 0)) != NULL) {
			rte_rib_get_nh(node, &nh);
			rc = fn(ctx, 4, zero, 0, (uint32_t)nh);
		}
	}
	if (t->fib6) {
		struct rte_rib6 *rib = rte_fib6_get_rib(t->fib6);
		struct rte_rib6_node *node = NULL;
		uint8_t depth;
		uint64_t nh;

		while (rc == 0 && (node = rte_rib6_get_nxt(rib, zero, 0, node, RTE_RIB6_GET_NXT_ALL)) != NULL) {
			rte_rib6_get_ip(node, addr);
			rte_rib6_get_depth(node, &depth);
			rte_rib6_get_nh(node, &nh);
			if (depth > 0)
				rc = fn(ctx, 6, addr, depth, (uint32_t)nh);
		}
		if (rc == 0 && (node = rte_rib6_lookup_exact(rib, zero, 0)) != NULL) {
			rte_rib6_get_nh(node, &nh);
			rc = fn(ctx, 6, zero, 0, (uint32_t)nh);
		}
	}
	return rc;
}

static int copy_route(void *to, int family, const uint8_t addr[16], uint8_t len, uint32_t group)
{
	return table_set(to, family, addr, len, group);
}

int loom_switch_route_set(struct loom_switch *sw, int family, const uint8_t addr[16], uint8_t len, uint32_t group,
			  char *err, size_t errlen)
{
	struct loom_route_table *t = sw->routes;
	int rc;

	if (t->refs > 1) { /* shared: this switch gets its own copy first */
		struct loom_route_table *own = loom_route_table_create(&t->cfg, err, errlen);

		if (!own)
			return -1;
		if (loom_route_table_walk(t, copy_route, own) != 0) {
			loom_route_table_put(own);
			snprintf(err, errlen, "cannot copy a shared route table: out of memory");
			return -1;
		}
		loom_switch_route_table_attach(sw, own);
		t = own;
	}
	rc = table_set(t, family, addr, len, group);
	if (rc < 0) {
		snprintf(err, errlen, "%s", rc == -EINVAL ? "prefix length out of range" : rte_strerror(-rc));
		return -1;
	}
	sw->routes_changed++;
	return 0;
}

size_t loom_route_table_bytes(const struct loom_route_table *t)
{
	size_t b = sizeof(*t) - sizeof(t->lpm) + loom_lpm_bytes(&t->lpm);
	size_t rib_node = 64; /* rte_rib's node, about; the RIB pool holds max_routes of them */

	if (t->fib4) {
		b += (size_t)(t->cfg.n_routes + 16) * rib_node;
		if (t->cfg.kind4 == LOOM_RT_FAST)
			b += ((size_t)1 << 24) * (t->fib4_no_route == 0x7f ? 1 : t->fib4_no_route == 0x7fff ? 2 : 4);
	}
	if (t->fib6) {
		b += (size_t)(t->cfg.n_routes + 16) * rib_node;
		if (t->cfg.kind6 == LOOM_RT_FAST)
			b += ((size_t)1 << 24) * (t->fib6_no_route == 0x7fff ? 2 : 4);
	}
	return b;
}
