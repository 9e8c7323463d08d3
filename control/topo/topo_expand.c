/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator form: `generate:` gives counts and rates, and this file
 * writes out the same model the explicit form would give, so that nothing
 * after loading knows which form the file used.
 *
 * Layout, per plane p (planes are copies of one Clos; with planes_joined
 * they share the super-spines), with S spines and L leaves per pod, P pods
 * and C super-spines:
 *   switches: [shared super-spines], then per plane [its super-spines],
 *             the spines (pod by pod), the leaves (pod by pod);
 *   leaf j = q*L + l (pod q) port h (h < H) <-> host j*H + h, eth<p>;
 *   leaf j port H + s                       <-> spine q*S + s port l;
 *   spine i = q*S + s port L + u            <-> the u-th super-spine of
 *             spine s's group (grouped: s*C/S + u; full: u), on the
 *             super-spine's port for (plane, pod[, spine]).
 * Leaf j of plane p gets 10.p.j.0/24 from 10.0.0.0/8 (pool + (p*256+j)*256)
 * and fd00:0:p:j::/64 from fd00::/32 (p and j in bits 32..63). With one
 * pod and no super-spines this is the two-tier layout, unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/lb/flow_hash.h"
#include "topo_internal.h"

#define MAX_LEAVES_PER_PLANE 256 /* the third octet of 10.p.j.0/24 (one plane: the pool's bits) */
#define MAX_SWITCHES 65536       /* the switch index in MACs is 16 bits */
#define MAX_LINKS 262144          /* as the largest two-tier fabric: 8 x 256 x (64 + 64) */
#define MAX_FAT_TREE_K 64        /* k^2/2 leaves per plane: more than 256 in one plane only */

enum {
	G_SPINES, G_LEAVES, G_HOSTS, G_PLANES, G_PODS, G_SUPERSPINES, G_SS_LINKS, G_FAT_TREE,
	G_JOINED, G_RATE, G_UPRATE, G_SSRATE, G_DELAY, G_POOL4, G_POOL6, G_PORT_TYPE, G_MTU, G_MACHINES_BY, G_N
};

struct gen {
	unsigned long spines, leaves;  /* per pod and plane */
	unsigned long hosts, planes, pods;
	unsigned long superspines;     /* per plane, or shared by all when joined */
	bool full_mesh;                /* every spine to every super-spine */
	bool joined;
	uint64_t link_rate, uplink_rate, superspine_rate, delay;
	uint32_t mtu;
	struct topo_prefix pool4, pool6;
	enum topo_host_port_type port_type;
};

/* --- reading `generate:` ------------------------------------------------------ */

/* fat_tree: {k: N}: the k-ary fat tree of Al-Fares et al. (SIGCOMM 2008):
 * k pods of k/2 leaves (edge) and k/2 spines (aggregation), (k/2)^2
 * super-spines (core), k/2 hosts per leaf; spine i of each pod links to
 * super-spines i*k/2 .. i*k/2 + k/2 - 1. */
static int load_fat_tree(struct topo_loader *ld, struct yaml_doc_field *f, struct gen *g)
{
	static const int conflicts[] = { G_SPINES, G_LEAVES, G_HOSTS, G_PODS, G_SUPERSPINES, G_SS_LINKS };
	struct yaml_doc_field k = { "k" };
	unsigned long n;

	for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++)
		if (f[conflicts[i]].k)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[conflicts[i]].k),
					  "'%s' cannot be combined with 'fat_tree' (line %d): k sets it",
					  f[conflicts[i]].key, yaml_doc_line(f[G_FAT_TREE].k));
	if (yaml_doc_fields(&ld->yd, f[G_FAT_TREE].v, "fat_tree", &k, 1) < 0 ||
	    yaml_doc_require(&ld->yd, f[G_FAT_TREE].v, "fat_tree", &k) < 0 ||
	    yaml_doc_get_uint(&ld->yd, &k, 2, MAX_FAT_TREE_K, &n) < 0)
		return -1;
	if (n % 2)
		return yaml_doc_error(&ld->yd, yaml_doc_line(k.v), "fat_tree k %lu must be even", n);
	g->pods = n;
	g->spines = g->leaves = g->hosts = n / 2;
	g->superspines = n / 2 * (n / 2);
	return 0;
}

static int load_superspine_links(struct topo_loader *ld, const struct yaml_doc_field *f, struct gen *g)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (strcmp(s, "full") != 0 && strcmp(s, "grouped") != 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "bad superspine_links '%s' (grouped or full)", s);
	g->full_mesh = strcmp(s, "full") == 0;
	return 0;
}

static int load_counts(struct topo_loader *ld, struct yaml_doc_field *f, yaml_node_t *map,
		       struct gen *g)
{
	g->planes = 1;
	if (f[G_PLANES].v && yaml_doc_get_uint(&ld->yd, &f[G_PLANES], 1, 8, &g->planes) < 0)
		return -1;
	if (f[G_JOINED].v && yaml_doc_get_bool(&ld->yd, &f[G_JOINED], &g->joined) < 0)
		return -1;
	if (f[G_FAT_TREE].v)
		return load_fat_tree(ld, f, g);
	for (int k = G_SPINES; k <= G_HOSTS; k++)
		if (yaml_doc_require(&ld->yd, map, "generate", &f[k]) < 0)
			return -1;
	if (yaml_doc_get_uint(&ld->yd, &f[G_SPINES], 1, 64, &g->spines) < 0 ||
	    yaml_doc_get_uint(&ld->yd, &f[G_LEAVES], 1, MAX_LEAVES_PER_PLANE, &g->leaves) < 0 ||
	    yaml_doc_get_uint(&ld->yd, &f[G_HOSTS], 0, 64, &g->hosts) < 0)
		return -1;
	g->pods = 1;
	if (f[G_PODS].v && yaml_doc_get_uint(&ld->yd, &f[G_PODS], 1, TOPO_MAX_PODS, &g->pods) < 0)
		return -1;
	if (f[G_SUPERSPINES].v && yaml_doc_get_uint(&ld->yd, &f[G_SUPERSPINES], 0, 256, &g->superspines) < 0)
		return -1;
	if (f[G_SS_LINKS].v && load_superspine_links(ld, &f[G_SS_LINKS], g) < 0)
		return -1;
	return 0;
}

/* Ports of a spine toward the super-spines. */
static unsigned long spine_uplinks(const struct gen *g)
{
	if (!g->superspines)
		return 0;
	return g->full_mesh ? g->superspines : g->superspines / g->spines;
}

/* Ports of a super-spine: one per spine it links to. */
static unsigned long superspine_ports(const struct gen *g)
{
	return (g->joined ? g->planes : 1) * g->pods * (g->full_mesh ? g->spines : 1);
}

static unsigned long total_switches(const struct gen *g)
{
	return g->planes * g->pods * (g->spines + g->leaves) +
	       (g->joined ? 1 : g->planes) * g->superspines;
}

static unsigned long total_links(const struct gen *g)
{
	return g->planes * (g->pods * g->leaves * (g->hosts + g->spines) +
			    g->pods * g->spines * spine_uplinks(g));
}

/* The line to blame for a shape the counts give only together: fat_tree
 * when it set them, else count `i`, else `generate:` itself. */
static int count_line(const struct yaml_doc_field *f, int i, const struct yaml_doc_field *top)
{
	if (f[G_FAT_TREE].v)
		return yaml_doc_line(f[G_FAT_TREE].v);
	return yaml_doc_line(f[i].v ? f[i].v : top->k);
}

/* What the counts allow only together: pods need super-spines, the
 * grouping must divide, every switch must fit in 256 ports, every leaf of
 * a plane in a /16 of /24s, the whole fabric in memory and in MACs. */
static int check_shape(struct topo_loader *ld, const struct yaml_doc_field *f, const struct yaml_doc_field *top,
		       const struct gen *g)
{
	int ss = count_line(f, G_SUPERSPINES, top);

	if (g->pods > 1 && !g->superspines)
		return yaml_doc_error(&ld->yd, count_line(f, G_PODS, top),
				  "pods %lu need superspines to join them", g->pods);
	/* Leaf j of plane p is 10.p.j.0/24: a plane's leaves fit in the third
	 * octet, unless there is one plane, whose leaves may carry into the
	 * second (10.1.44.0/24 is leaf 300; check_pool checks the pool) */
	if (g->planes > 1 && g->pods * g->leaves > MAX_LEAVES_PER_PLANE)
		return yaml_doc_error(&ld->yd, count_line(f, G_PODS, top),
				  "%lu pods x %lu leaves = %lu leaves per plane, at most %d with more than one plane",
				  g->pods, g->leaves, g->pods * g->leaves, MAX_LEAVES_PER_PLANE);
	if (!g->full_mesh && g->superspines % g->spines)
		return yaml_doc_error(&ld->yd, ss,
				  "superspines %lu is not a multiple of spines %lu: each spine of a pod links "
				  "to a group of superspines/spines (or say superspine_links: full)",
				  g->superspines, g->spines);
	if (g->leaves + spine_uplinks(g) > TOPO_MAX_PORTS)
		return yaml_doc_error(&ld->yd, ss,
				  "a spine would need %lu ports (%lu leaves + %lu superspines), at most %d",
				  g->leaves + spine_uplinks(g), g->leaves, spine_uplinks(g), TOPO_MAX_PORTS);
	if (g->superspines && superspine_ports(g) > TOPO_MAX_PORTS)
		return yaml_doc_error(&ld->yd, ss, "a superspine would need %lu ports, at most %d",
				  superspine_ports(g), TOPO_MAX_PORTS);
	if (total_switches(g) > MAX_SWITCHES || total_links(g) > MAX_LINKS)
		return yaml_doc_error(&ld->yd, ss, "%lu switches and %lu links, at most %d and %d", total_switches(g),
				  total_links(g), MAX_SWITCHES, MAX_LINKS);
	return 0;
}

/* Highest leaf index (p*256 + j, or p<<16 | j for IPv6) must fit in the
 * pool's free bits above the per-leaf prefix. */
static int check_pool(struct topo_loader *ld, const struct yaml_doc_field *f,
		      const struct topo_prefix *p, int family, const struct gen *g)
{
	int leaf_len = family == 4 ? 24 : 64;
	unsigned long leaves = g->pods * g->leaves;
	uint64_t top = family == 4 ? (g->planes - 1) * 256 + leaves - 1
				   : (g->planes - 1) << 16 | (leaves - 1);
	char buf[64];

	topo_format_prefix(p, buf, sizeof(buf));
	if (p->family != family)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "%s '%s' is not an IPv%d prefix",
				  f->key, buf, family);
	if (topo_prefix_host_bits_set(p))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "%s '%s' has host bits set", f->key,
				  buf);
	if (p->len > leaf_len || (leaf_len - p->len < 32 && top >> (leaf_len - p->len)))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "%s '%s' too small for %lu plane(s) of %lu leaves (one /%d per leaf)",
				  f->key, buf, g->planes, leaves, leaf_len);
	return 0;
}

static int load_rates(struct topo_loader *ld, struct yaml_doc_field *f, struct gen *g)
{
	g->link_rate = ld->t->default_rate_bps;
	if (f[G_RATE].v && topo_get_rate(&ld->yd, &f[G_RATE], &g->link_rate) < 0)
		return -1;
	g->uplink_rate = g->link_rate;
	if (f[G_UPRATE].v && topo_get_rate(&ld->yd, &f[G_UPRATE], &g->uplink_rate) < 0)
		return -1;
	g->superspine_rate = g->uplink_rate;
	if (f[G_SSRATE].v && topo_get_rate(&ld->yd, &f[G_SSRATE], &g->superspine_rate) < 0)
		return -1;
	g->delay = ld->t->default_delay_ns;
	if (f[G_DELAY].v && topo_get_delay(&ld->yd, &f[G_DELAY], &g->delay) < 0)
		return -1;
	g->mtu = ld->t->default_mtu;
	if (f[G_MTU].v && topo_get_mtu(&ld->yd, &f[G_MTU], &g->mtu) < 0)
		return -1;
	return 0;
}

static int load_gen(struct topo_loader *ld, const struct yaml_doc_field *top, struct gen *g)
{
	struct yaml_doc_field f[G_N] = {
		{ "spines" },        { "leaves" },      { "hosts_per_leaf" },  { "planes" },
		{ "pods" },          { "superspines" }, { "superspine_links" }, { "fat_tree" },
		{ "planes_joined" }, { "link_rate" },   { "uplink_rate" },     { "superspine_rate" },
		{ "delay" },         { "ipv4_pool" },   { "ipv6_pool" },       { "port_type" },
		{ "mtu" },           { "machines_by" }
	};

	memset(g, 0, sizeof(*g));
	if (yaml_doc_fields(&ld->yd, top->v, "generate", f, G_N) < 0 || load_counts(ld, f, top->v, g) < 0 ||
	    check_shape(ld, f, top, g) < 0 || load_rates(ld, f, g) < 0)
		return -1;
	topo_parse_prefix("10.0.0.0/8", &g->pool4);
	if (f[G_POOL4].v && (topo_get_prefix(&ld->yd, &f[G_POOL4], &g->pool4) < 0 ||
			     check_pool(ld, &f[G_POOL4], &g->pool4, 4, g) < 0))
		return -1;
	topo_parse_prefix("fd00::/32", &g->pool6);
	if (f[G_POOL6].v && (topo_get_prefix(&ld->yd, &f[G_POOL6], &g->pool6) < 0 ||
			     check_pool(ld, &f[G_POOL6], &g->pool6, 6, g) < 0))
		return -1;
	ld->machines_by = f[G_MACHINES_BY]; /* placed once the model is built (topo_machines.c) */
	g->port_type = TOPO_PORT_AF_PACKET;
	if (f[G_PORT_TYPE].v && topo_get_port_type(&ld->yd, &f[G_PORT_TYPE], &g->port_type) < 0)
		return -1;
	return 0;
}

/* --- switch indices ---------------------------------------------------------- */

/* Super-spines a plane has of its own (none when they are shared). */
static int own_superspines(const struct gen *g)
{
	return g->joined ? 0 : (int)g->superspines;
}

static int plane_base(const struct gen *g, int p)
{
	int per_plane = own_superspines(g) + (int)(g->pods * (g->spines + g->leaves));

	return (g->joined ? (int)g->superspines : 0) + p * per_plane;
}

static int superspine_index(const struct gen *g, int p, int c)
{
	return g->joined ? c : plane_base(g, p) + c;
}

static int spine_index(const struct gen *g, int p, int i)
{
	return plane_base(g, p) + own_superspines(g) + i;
}

static int leaf_index(const struct gen *g, int p, int j)
{
	return spine_index(g, p, (int)(g->pods * g->spines)) + j;
}

/* --- building the model ------------------------------------------------------- */

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

/* Switch `idx`: number i of its role in plane p (pod given for leaves and
 * spines). Shared super-spines carry no plane in their name. */
static void make_switch(struct topology *t, const struct gen *g, int idx, int p, int i,
			enum topo_role role, int pod)
{
	struct topo_switch *sw = &t->switches[idx];
	const char *name = topo_role_name(role);

	if (g->planes == 1 || (role == TOPO_SUPERSPINE && g->joined))
		snprintf(sw->name, sizeof(sw->name), "%s%d", name, i);
	else
		snprintf(sw->name, sizeof(sw->name), "p%d-%s%d", p, name, i);
	sw->role = role;
	sw->plane = role == TOPO_SUPERSPINE && g->joined ? 0 : p;
	sw->pod = pod;
	sw->hash_seed = loom_seed_from_name(sw->name);
	if (role != TOPO_LEAF)
		return;
	sw->subnet4 = g->pool4;
	sw->subnet4.len = 24;
	add_high(sw->subnet4.addr, 4, ((uint64_t)p * 256 + (uint64_t)i) * 256);
	sw->subnet6 = g->pool6;
	sw->subnet6.len = 64;
	add_high(sw->subnet6.addr, 8, (uint64_t)p << 16 | (uint64_t)i);
}

static void make_link(struct topo_link *l, bool a_host, int a, int ap, int b, int bp,
		      uint64_t rate, uint64_t delay, uint32_t mtu)
{
	l->mtu = mtu;
	l->a.is_host = a_host;
	l->a.node = a;
	l->a.port = ap;
	l->b.node = b;
	l->b.port = bp;
	l->rate_bps = rate;
	l->delay_ns = delay;
}

static void make_switches(struct topology *t, const struct gen *g, int p)
{
	int S = (int)g->spines, L = (int)g->leaves;

	if (!g->joined || p == 0)
		for (int c = 0; c < (int)g->superspines; c++)
			make_switch(t, g, superspine_index(g, p, c), p, c, TOPO_SUPERSPINE, TOPO_NO_POD);
	for (int i = 0; i < (int)g->pods * S; i++)
		make_switch(t, g, spine_index(g, p, i), p, i, TOPO_SPINE, i / S);
	for (int j = 0; j < (int)g->pods * L; j++)
		make_switch(t, g, leaf_index(g, p, j), p, j, TOPO_LEAF, j / L);
}

/* Spine s of pod q in plane p: its uplinks, on ports L + u. A super-spine
 * numbers its ports by (plane when shared, pod, spine when full mesh). */
static void make_spine_uplinks(struct topology *t, const struct gen *g, int p, int q, int s, int *nl)
{
	int S = (int)g->spines, L = (int)g->leaves, n = (int)spine_uplinks(g);
	int slot = (g->joined ? p * (int)g->pods : 0) + q;

	for (int u = 0; u < n; u++) {
		int c = g->full_mesh ? u : s * n + u;
		int port = g->full_mesh ? slot * S + s : slot;

		make_link(&t->links[(*nl)++], false, spine_index(g, p, q * S + s), L + u,
			  superspine_index(g, p, c), port, g->superspine_rate, g->delay, g->mtu);
	}
}

static void make_plane(struct topology *t, const struct gen *g, int p, int *nl)
{
	int S = (int)g->spines, L = (int)g->leaves, H = (int)g->hosts;
	int leaves = (int)g->pods * L;

	make_switches(t, g, p);
	for (int j = 0; j < leaves; j++)
		for (int h = 0; h < H; h++)
			make_link(&t->links[(*nl)++], true, j * H + h, p, leaf_index(g, p, j), h,
				  g->link_rate, g->delay, g->mtu);
	for (int j = 0; j < leaves; j++)
		for (int s = 0; s < S; s++)
			make_link(&t->links[(*nl)++], false, leaf_index(g, p, j), H + s,
				  spine_index(g, p, j / L * S + s), j % L, g->uplink_rate, g->delay, g->mtu);
	for (int q = 0; q < (int)g->pods; q++)
		for (int s = 0; s < S; s++)
			make_spine_uplinks(t, g, p, q, s, nl);
}

static int build(struct topology *t, const struct gen *g)
{
	unsigned long leaves = g->pods * g->leaves;
	int nl = 0;

	t->n_switches = (int)total_switches(g);
	t->n_hosts = (int)(leaves * g->hosts);
	t->n_links = (int)total_links(g);
	t->planes_joined = g->joined;
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

int topo_expand(struct topo_loader *ld, const struct yaml_doc_field *gen)
{
	struct gen g;
	struct topo_src src = { .fallback_line = yaml_doc_line(gen->k),
				.switches_line = yaml_doc_line(gen->k) };

	if (load_gen(ld, gen, &g) < 0)
		return -1;
	if (build(ld->t, &g) < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(gen->k), "out of memory");
	/* cannot fail for counts in range; kept so a change here that breaks
	 * a rule shows up at load time rather than in the routes */
	return topo_validate(ld->t, &src, &ld->yd);
}
