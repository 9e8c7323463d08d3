/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator form: `generate:` gives counts and rates, and this file
 * writes out the same model the explicit form would give, so that nothing
 * after loading knows which form the file used.
 *
 * Layout, per plane p (planes are independent copies of one Clos):
 *   switches: the spines, then the leaves;
 *   leaf l port j (j < H) <-> host l*H + j, interface eth<p>;
 *   leaf l port H + s     <-> spine s port l.
 * Leaf l of plane p gets 10.p.l.0/24 from 10.0.0.0/8 (pool + (p*256+l)*256)
 * and fd00:0:p:l::/64 from fd00::/32 (p and l in bits 32..63).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/flow_hash.h"
#include "topo_internal.h"

enum {
	G_SPINES, G_LEAVES, G_HOSTS, G_PLANES, G_RATE, G_UPRATE, G_DELAY,
	G_POOL4, G_POOL6, G_PORT_TYPE, G_N
};

struct gen {
	unsigned long spines, leaves, hosts, planes;
	uint64_t link_rate, uplink_rate, delay;
	struct topo_prefix pool4, pool6;
	enum topo_host_port_type port_type;
};

static int load_counts(struct topo_loader *ld, struct topo_field *f, yaml_node_t *map,
		       struct gen *g)
{
	for (int k = G_SPINES; k <= G_HOSTS; k++)
		if (topo_require(ld, map, "generate", &f[k]) < 0)
			return -1;
	if (topo_get_uint(ld, &f[G_SPINES], 1, 64, &g->spines) < 0 ||
	    topo_get_uint(ld, &f[G_LEAVES], 1, 256, &g->leaves) < 0 ||
	    topo_get_uint(ld, &f[G_HOSTS], 0, 64, &g->hosts) < 0)
		return -1;
	g->planes = 1;
	if (f[G_PLANES].v && topo_get_uint(ld, &f[G_PLANES], 1, 8, &g->planes) < 0)
		return -1;
	return 0;
}

/* Highest leaf index (p*256 + l, or p<<16 | l for IPv6) must fit in the
 * pool's free bits above the per-leaf prefix. */
static int check_pool(struct topo_loader *ld, const struct topo_field *f,
		      const struct topo_prefix *p, int family, const struct gen *g)
{
	int leaf_len = family == 4 ? 24 : 64;
	uint64_t top = family == 4 ? (g->planes - 1) * 256 + g->leaves - 1
				   : (g->planes - 1) << 16 | (g->leaves - 1);
	char buf[64];

	topo_format_prefix(p, buf, sizeof(buf));
	if (p->family != family)
		return topo_error(&ld->ctx, topo_line(f->v), "%s '%s' is not an IPv%d prefix",
				  f->key, buf, family);
	if (topo_prefix_host_bits_set(p))
		return topo_error(&ld->ctx, topo_line(f->v), "%s '%s' has host bits set", f->key,
				  buf);
	if (p->len > leaf_len || (leaf_len - p->len < 32 && top >> (leaf_len - p->len)))
		return topo_error(&ld->ctx, topo_line(f->v),
				  "%s '%s' too small for %lu plane(s) of %lu leaves (one /%d per leaf)",
				  f->key, buf, g->planes, g->leaves, leaf_len);
	return 0;
}

static int load_gen(struct topo_loader *ld, const struct topo_field *top, struct gen *g)
{
	struct topo_field f[G_N] = { { "spines" },    { "leaves" },      { "hosts_per_leaf" },
				     { "planes" },    { "link_rate" },   { "uplink_rate" },
				     { "delay" },     { "ipv4_pool" },   { "ipv6_pool" },
				     { "port_type" } };

	if (topo_fields(ld, top->v, "generate", f, G_N) < 0 || load_counts(ld, f, top->v, g) < 0)
		return -1;
	g->link_rate = ld->t->default_rate_bps;
	if (f[G_RATE].v && topo_get_rate(ld, &f[G_RATE], &g->link_rate) < 0)
		return -1;
	g->uplink_rate = g->link_rate;
	if (f[G_UPRATE].v && topo_get_rate(ld, &f[G_UPRATE], &g->uplink_rate) < 0)
		return -1;
	g->delay = ld->t->default_delay_ns;
	if (f[G_DELAY].v && topo_get_delay(ld, &f[G_DELAY], &g->delay) < 0)
		return -1;
	topo_parse_prefix("10.0.0.0/8", &g->pool4);
	if (f[G_POOL4].v && (topo_get_prefix(ld, &f[G_POOL4], &g->pool4) < 0 ||
			     check_pool(ld, &f[G_POOL4], &g->pool4, 4, g) < 0))
		return -1;
	topo_parse_prefix("fd00::/32", &g->pool6);
	if (f[G_POOL6].v && (topo_get_prefix(ld, &f[G_POOL6], &g->pool6) < 0 ||
			     check_pool(ld, &f[G_POOL6], &g->pool6, 6, g) < 0))
		return -1;
	g->port_type = TOPO_PORT_AF_PACKET;
	if (f[G_PORT_TYPE].v && topo_get_port_type(ld, &f[G_PORT_TYPE], &g->port_type) < 0)
		return -1;
	return 0;
}

/* Adds v to the first `bytes` bytes of the address, read big-endian. */
static void add_high(uint8_t *addr, int bytes, uint64_t v)
{
	uint64_t x = 0;

	for (int i = 0; i < bytes; i++)
		x = x << 8 | addr[i];
	x += v;
	for (int i = bytes - 1; i >= 0; i--, x >>= 8)
		addr[i] = (uint8_t)x;
}

static void make_switch(struct topology *t, const struct gen *g, int idx, int p, int i,
			bool leaf)
{
	struct topo_switch *sw = &t->switches[idx];
	const char *role = leaf ? "leaf" : "spine";

	if (g->planes == 1)
		snprintf(sw->name, sizeof(sw->name), "%s%d", role, i);
	else
		snprintf(sw->name, sizeof(sw->name), "p%d-%s%d", p, role, i);
	sw->role = leaf ? TOPO_LEAF : TOPO_SPINE;
	sw->plane = p;
	sw->hash_seed = loom_seed_from_name(sw->name);
	if (!leaf)
		return;
	sw->subnet4 = g->pool4;
	sw->subnet4.len = 24;
	add_high(sw->subnet4.addr, 4, ((uint64_t)p * 256 + (uint64_t)i) * 256);
	sw->subnet6 = g->pool6;
	sw->subnet6.len = 64;
	add_high(sw->subnet6.addr, 8, (uint64_t)p << 16 | (uint64_t)i);
}

static void make_link(struct topo_link *l, bool a_host, int a, int ap, int b, int bp,
		      uint64_t rate, uint64_t delay)
{
	l->a.is_host = a_host;
	l->a.node = a;
	l->a.port = ap;
	l->b.node = b;
	l->b.port = bp;
	l->rate_bps = rate;
	l->delay_ns = delay;
}

static void make_plane(struct topology *t, const struct gen *g, int p, int *nl)
{
	int S = (int)g->spines, L = (int)g->leaves, H = (int)g->hosts;
	int base = p * (S + L);

	for (int s = 0; s < S; s++)
		make_switch(t, g, base + s, p, s, false);
	for (int l = 0; l < L; l++)
		make_switch(t, g, base + S + l, p, l, true);
	for (int l = 0; l < L; l++)
		for (int j = 0; j < H; j++)
			make_link(&t->links[(*nl)++], true, l * H + j, p, base + S + l, j,
				  g->link_rate, g->delay);
	for (int l = 0; l < L; l++)
		for (int s = 0; s < S; s++)
			make_link(&t->links[(*nl)++], false, base + S + l, H + s, base + s, l,
				  g->uplink_rate, g->delay);
}

static int build(struct topology *t, const struct gen *g)
{
	int nl = 0;

	t->n_switches = (int)(g->planes * (g->spines + g->leaves));
	t->n_hosts = (int)(g->leaves * g->hosts);
	t->n_links = (int)(g->planes * g->leaves * (g->hosts + g->spines));
	t->switches = calloc((size_t)t->n_switches, sizeof(*t->switches));
	t->hosts = calloc((size_t)t->n_hosts + 1, sizeof(*t->hosts));
	t->links = calloc((size_t)t->n_links, sizeof(*t->links));
	if (!t->switches || !t->hosts || !t->links)
		return -1;
	for (int h = 0; h < t->n_hosts; h++) {
		snprintf(t->hosts[h].name, sizeof(t->hosts[h].name), "h%d", h);
		t->hosts[h].port_type = g->port_type;
	}
	for (int p = 0; p < (int)g->planes; p++)
		make_plane(t, g, p, &nl);
	return 0;
}

int topo_expand(struct topo_loader *ld, const struct topo_field *gen)
{
	struct gen g;
	struct topo_src src = { .fallback_line = topo_line(gen->k),
				.switches_line = topo_line(gen->k) };

	if (load_gen(ld, gen, &g) < 0)
		return -1;
	if (build(ld->t, &g) < 0)
		return topo_error(&ld->ctx, topo_line(gen->k), "out of memory");
	/* cannot fail for counts in range; kept so a change here that breaks
	 * a rule shows up at load time rather than in the routes */
	return topo_validate(ld->t, &src, &ld->ctx);
}
