/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The experiment keys of a topology file (docs/VIRTUAL_TIME.md):
 *
 *   clock: virtual        # or realtime (the default)
 *   seed: 42              # every random choice: switch hash seeds,
 *                         # generator hosts, traffic patterns
 *   duration: 1ms         # how long the run lasts (virtual time: required)
 *   host_jitter: 1200ns   # virtual time: each generator host packet takes
 *                         # 0..J-1 ns more (seeded) to reach its leaf:
 *                         # host latency noise, breaks lockstep phases
 *   traffic:              # flows of the generator hosts
 *     - { src: h0, dst: h5, rate: 10G, bytes: 1000000, start: 2us }
 *     - { pattern: permutation, rate: 100G }
 *     - { pattern: incast, srcs: [h1, h2], dst: h0 }
 *
 * Read after the fabric is loaded and validated, so that host names and
 * leaves are known. Errors name file and line like every other check.
 */
#include <stdlib.h>
#include <string.h>

#include "loom/flow_hash.h"
#include "topo_internal.h"
#include "traffic/patterns.h"

/* Smallest frames a generator host sends (dataplane/hosts/gen_host.h:
 * Ethernet + IPv4 + UDP [+ BTH] + its 32-byte payload header). */
#define MIN_FRAME_UDP 74
#define MIN_FRAME_ROCEV2 86
#define MAX_FRAME 2000

enum { X_CLOCK, X_SEED, X_DURATION, X_TRAFFIC, X_JITTER };

enum { T_PATTERN, T_SRC, T_DST, T_SRCS, T_RATE, T_BYTES, T_START, T_PKT, T_TRANSPORT, T_ECN, T_ENTROPY,
       T_SRC_PORT, T_DSCP, T_GROUP, T_N };

static int seq_len(const yaml_node_t *seq)
{
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct topo_loader *ld, yaml_node_t *seq, int i)
{
	return yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
}

/* The leaf a host is linked to (generator hosts have exactly one link). */
static int host_leaf(const struct topology *t, int h)
{
	int l = topo_host_link(t, h);

	if (l < 0)
		return -1;
	return t->links[l].a.is_host ? t->links[l].b.node : t->links[l].a.node;
}

static int generator_host(struct topo_loader *ld, const struct topo_field *f, const char *name, uint32_t *out)
{
	int h = topo_host_index(ld->t, name);

	if (h < 0)
		return topo_error(&ld->ctx, topo_line(f->v), "traffic: unknown host '%s'", name);
	if (ld->t->hosts[h].port_type != TOPO_PORT_GENERATOR)
		return topo_error(&ld->ctx, topo_line(f->v),
				  "traffic: host %s is not a generator host (port_type: generator): "
				  "flows run between generator hosts", name);
	*out = (uint32_t)h;
	return 0;
}

static int grow(struct topo_loader *ld, int line, int more)
{
	struct topology *t = ld->t;
	struct loom_flow_spec *nf = realloc(t->flows, (size_t)(t->n_flows + more + 1) * sizeof(*nf));

	if (!nf)
		return topo_error(&ld->ctx, line, "out of memory");
	t->flows = nf;
	return 0;
}

/* The fields every traffic item may set, into a template flow. */
static int load_template(struct topo_loader *ld, struct topo_field *f, struct loom_flow_spec *s)
{
	unsigned long v;
	const char *str;
	bool b;

	memset(s, 0, sizeof(*s));
	if (f[T_RATE].v && topo_get_rate(ld, &f[T_RATE], &s->rate_bps) < 0)
		return -1;
	if (f[T_BYTES].v) {
		if (topo_get_uint(ld, &f[T_BYTES], 0, UINT64_MAX, &v) < 0)
			return -1;
		s->bytes = v;
	}
	if (f[T_START].v && topo_get_delay(ld, &f[T_START], &s->start) < 0)
		return -1;
	if (f[T_TRANSPORT].v) {
		if (topo_get_str(ld, &f[T_TRANSPORT], &str) < 0)
			return -1;
		if (strcmp(str, "udp") == 0)
			s->transport = LOOM_FLOW_UDP;
		else if (strcmp(str, "rocev2") == 0)
			s->transport = LOOM_FLOW_ROCEV2;
		else
			return topo_error(&ld->ctx, topo_line(f[T_TRANSPORT].v), "bad transport '%s' (udp or rocev2)",
					  str);
	}
	if (f[T_PKT].v) {
		unsigned long min = s->transport == LOOM_FLOW_ROCEV2 ? MIN_FRAME_ROCEV2 : MIN_FRAME_UDP;

		if (topo_get_uint(ld, &f[T_PKT], min, MAX_FRAME, &v) < 0)
			return -1;
		s->pkt_bytes = (uint16_t)v;
	}
	if (f[T_ECN].v) {
		if (topo_get_bool(ld, &f[T_ECN], &b) < 0)
			return -1;
		s->ecn_capable = b;
	}
	if (f[T_ENTROPY].v) {
		if (topo_get_str(ld, &f[T_ENTROPY], &str) < 0)
			return -1;
		if (strcmp(str, "per_packet") == 0)
			s->entropy_per_packet = 1;
		else if (strcmp(str, "per_flow") != 0)
			return topo_error(&ld->ctx, topo_line(f[T_ENTROPY].v),
					  "bad entropy '%s' (per_flow or per_packet)", str);
	}
	if (f[T_SRC_PORT].v) {
		if (topo_get_uint(ld, &f[T_SRC_PORT], 1, 65535, &v) < 0)
			return -1;
		s->src_port = (uint16_t)v;
	}
	if (f[T_DSCP].v) {
		if (topo_get_uint(ld, &f[T_DSCP], 0, 63, &v) < 0)
			return -1;
		s->dscp = (uint8_t)v;
	}
	if (f[T_GROUP].v) {
		if (topo_get_uint(ld, &f[T_GROUP], 0, UINT32_MAX, &v) < 0)
			return -1;
		s->group = (uint32_t)v;
	}
	return 0;
}

static int load_flow(struct topo_loader *ld, yaml_node_t *n, struct topo_field *f, const struct loom_flow_spec *tmpl)
{
	struct topology *t = ld->t;
	struct loom_flow_spec *s;
	const char *src, *dst;
	uint32_t hs = 0, hd = 0;

	if (topo_require(ld, n, "flow", &f[T_SRC]) < 0 || topo_require(ld, n, "flow", &f[T_DST]) < 0)
		return -1;
	if (f[T_SRCS].k)
		return topo_error(&ld->ctx, topo_line(f[T_SRCS].k), "'srcs' is for 'pattern: incast'");
	if (topo_get_str(ld, &f[T_SRC], &src) < 0 || topo_get_str(ld, &f[T_DST], &dst) < 0 ||
	    generator_host(ld, &f[T_SRC], src, &hs) < 0 || generator_host(ld, &f[T_DST], dst, &hd) < 0)
		return -1;
	if (hs == hd)
		return topo_error(&ld->ctx, topo_line(n), "flow from %s to itself", src);
	if (grow(ld, topo_line(n), 1) < 0)
		return -1;
	s = &t->flows[t->n_flows];
	*s = *tmpl;
	s->id = (uint32_t)t->n_flows++;
	s->src_host = hs;
	s->dst_host = hd;
	return 0;
}

static int load_permutation(struct topo_loader *ld, yaml_node_t *n, struct topo_field *f,
			    const struct loom_flow_spec *tmpl)
{
	struct topology *t = ld->t;
	uint32_t *hosts = calloc((size_t)t->n_hosts + 1, sizeof(*hosts));
	uint32_t *leaf = calloc((size_t)t->n_hosts + 1, sizeof(*leaf));
	int m = 0, rc = -1;

	for (int k = T_SRC; k <= T_SRCS; k++)
		if (f[k].k)
			return topo_error(&ld->ctx, topo_line(f[k].k), "'%s' cannot be combined with "
					  "'pattern: permutation' (every generator host sends once)", f[k].key);
	if (!hosts || !leaf) {
		rc = topo_error(&ld->ctx, topo_line(n), "out of memory");
		goto out;
	}
	for (int h = 0; h < t->n_hosts; h++) {
		if (t->hosts[h].port_type != TOPO_PORT_GENERATOR)
			continue;
		hosts[m] = (uint32_t)h;
		leaf[m++] = (uint32_t)host_leaf(t, h);
	}
	if (grow(ld, topo_line(n), m) < 0)
		goto out;
	/* Each pattern item draws from its own stream of the seed. */
	if (pattern_permutation(hosts, leaf, m, t->seed ^ (0x5851f42d4c957f2dull * (uint64_t)(t->n_flows + 1)), tmpl,
				(uint32_t)t->n_flows, &t->flows[t->n_flows]) < 0) {
		rc = topo_error(&ld->ctx, topo_line(n),
				"pattern: permutation: no host may send to its own leaf, and %d generator "
				"host(s) cannot be arranged so", m);
		goto out;
	}
	t->n_flows += m;
	rc = 0;
out:
	free(hosts);
	free(leaf);
	return rc;
}

static int load_incast(struct topo_loader *ld, yaml_node_t *n, struct topo_field *f, const struct loom_flow_spec *tmpl)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;
	uint32_t dst = 0, *srcs;
	const char *name;
	int m, rc = -1;

	if (topo_require(ld, n, "incast", &f[T_DST]) < 0 || topo_require(ld, n, "incast", &f[T_SRCS]) < 0)
		return -1;
	if (f[T_SRC].k)
		return topo_error(&ld->ctx, topo_line(f[T_SRC].k), "incast takes 'srcs', a list");
	if (topo_get_str(ld, &f[T_DST], &name) < 0 || generator_host(ld, &f[T_DST], name, &dst) < 0 ||
	    topo_get_seq(ld, &f[T_SRCS], &seq) < 0)
		return -1;
	m = seq_len(seq);
	if (m == 0)
		return topo_error(&ld->ctx, topo_line(f[T_SRCS].v), "incast: 'srcs' is empty");
	srcs = calloc((size_t)m, sizeof(*srcs));
	if (!srcs)
		return topo_error(&ld->ctx, topo_line(n), "out of memory");
	for (int i = 0; i < m; i++) {
		struct topo_field e = { "srcs", f[T_SRCS].k, seq_item(ld, seq, i) };

		if (topo_get_str(ld, &e, &name) < 0 || generator_host(ld, &e, name, &srcs[i]) < 0)
			goto out;
		if (srcs[i] == dst) {
			topo_error(&ld->ctx, topo_line(e.v), "incast: %s is the destination", name);
			goto out;
		}
	}
	if (grow(ld, topo_line(n), m) < 0)
		goto out;
	t->n_flows += pattern_incast(srcs, m, dst, tmpl, (uint32_t)t->n_flows, &t->flows[t->n_flows]);
	rc = 0;
out:
	free(srcs);
	return rc;
}

static int load_traffic_item(struct topo_loader *ld, yaml_node_t *n)
{
	struct topo_field f[T_N] = { { "pattern" }, { "src" },	    { "dst" }, { "srcs" },     { "rate" },
				     { "bytes" },   { "start" },    { "pkt_bytes" }, { "transport" },
				     { "ecn" },     { "entropy" },  { "src_port" }, { "dscp" },    { "group" } };
	struct loom_flow_spec tmpl;
	const char *pattern;

	if (topo_fields(ld, n, "traffic item", f, T_N) < 0 || load_template(ld, f, &tmpl) < 0)
		return -1;
	if (!f[T_PATTERN].v)
		return load_flow(ld, n, f, &tmpl);
	if (topo_get_str(ld, &f[T_PATTERN], &pattern) < 0)
		return -1;
	if (strcmp(pattern, "permutation") == 0)
		return load_permutation(ld, n, f, &tmpl);
	if (strcmp(pattern, "incast") == 0)
		return load_incast(ld, n, f, &tmpl);
	return topo_error(&ld->ctx, topo_line(f[T_PATTERN].v), "bad pattern '%s' (permutation or incast)", pattern);
}

/* The line of `key` in mapping `map`; 0 when absent. */
static int key_line(const struct topo_loader *ld, yaml_node_t *map, const char *key, yaml_node_t **value)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
			if (value)
				*value = yaml_document_get_node(ld->doc, p->value);
			return topo_line(k);
		}
	}
	return 0;
}

/* Where a generated host's port type comes from: generate's port_type
 * key, else the `generate:` key, else the top. */
static int generated_line(const struct topo_loader *ld, yaml_node_t *root)
{
	yaml_node_t *gen = NULL;
	int gen_line = key_line(ld, root, "generate", &gen);
	int pt_line = key_line(ld, gen, "port_type", NULL);

	return pt_line ? pt_line : gen_line ? gen_line : topo_line(root);
}

/* Generator hosts live inside loomd with one IPv4 interface (so in one
 * plane: dataplane/hosts/ builds IPv4 frames only, from the one leaf port
 * it is given); a virtual clock admits nothing else (a kernel cannot run
 * in virtual time). */
static int check_hosts(struct topo_loader *ld, yaml_node_t *root, const struct topo_field *clock)
{
	const struct topology *t = ld->t;

	for (int h = 0; h < t->n_hosts; h++) {
		const struct topo_host *host = &t->hosts[h];
		int line = host->pos.line ? host->pos.line : topo_line(root);
		int links = 0;

		if (t->clock == TOPO_CLOCK_VIRTUAL && host->port_type != TOPO_PORT_GENERATOR)
			return topo_error(&ld->ctx, line,
					  "host %s is a namespace host, but 'clock: virtual' (line %d) runs only "
					  "generator hosts: a kernel cannot run in virtual time (give the hosts "
					  "port_type: generator, or use clock: realtime)",
					  host->name, topo_line(clock->k));
		if (host->port_type != TOPO_PORT_GENERATOR)
			continue;
		if (t->n_planes > 1)
			return topo_error(&ld->ctx, host->pos.line ? line : generated_line(ld, root),
					  "generator host %s in a fabric of %d planes: generator hosts (and so "
					  "'clock: virtual') have one IPv4 interface, in one plane; use one plane "
					  "(planes: 1), or namespace hosts (port_type: af_packet) with clock: realtime",
					  host->name, t->n_planes);
		for (int i = 0; i < t->n_links; i++)
			links += (t->links[i].a.is_host && t->links[i].a.node == h) ||
				 (t->links[i].b.is_host && t->links[i].b.node == h);
		if (links != 1)
			return topo_error(&ld->ctx, line,
					  "generator host %s has %d links: generator hosts have one interface "
					  "(one plane)", host->name, links);
		if (t->links[topo_host_link(t, h)].a.devargs[0] || t->links[topo_host_link(t, h)].b.devargs[0])
			return topo_error(&ld->ctx, line,
					  "generator host %s lives inside loomd: its link takes no devargs", host->name);
	}
	return 0;
}

/* A fabric-wide seed: every switch without its own options.hash_seed gets
 * one derived from the seed and its name. */
static void apply_seed(struct topology *t)
{
	for (int i = 0; i < t->n_switches; i++) {
		struct topo_switch *sw = &t->switches[i];
		uint64_t z = t->seed ^ ((uint64_t)loom_seed_from_name(sw->name) << 32 | loom_seed_from_name(sw->name));

		if (sw->hash_seed_given)
			continue;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		sw->hash_seed = (uint32_t)(z ^ (z >> 31));
	}
}

int topo_experiment(struct topo_loader *ld, yaml_node_t *root, struct topo_field *f)
{
	struct topology *t = ld->t;
	unsigned long seed;
	yaml_node_t *seq;
	const char *s;

	t->clock = TOPO_CLOCK_REALTIME;
	if (f[X_CLOCK].v) {
		if (topo_get_str(ld, &f[X_CLOCK], &s) < 0)
			return -1;
		if (strcmp(s, "virtual") == 0)
			t->clock = TOPO_CLOCK_VIRTUAL;
		else if (strcmp(s, "realtime") != 0)
			return topo_error(&ld->ctx, topo_line(f[X_CLOCK].v), "bad clock '%s' (realtime or virtual)", s);
	}
	if (f[X_SEED].v) {
		if (topo_get_uint(ld, &f[X_SEED], 0, UINT64_MAX, &seed) < 0)
			return -1;
		t->seed = seed;
		apply_seed(t);
	}
	if (f[X_DURATION].v && topo_get_delay(ld, &f[X_DURATION], &t->duration_ns) < 0)
		return -1;
	if (f[X_JITTER].v && topo_get_delay(ld, &f[X_JITTER], &t->host_jitter_ns) < 0)
		return -1;
	if (t->clock == TOPO_CLOCK_VIRTUAL && t->duration_ns == 0)
		return topo_error(&ld->ctx, topo_line(f[X_CLOCK].v),
				  "'clock: virtual' needs a 'duration' (e.g. duration: 1ms)");
	if (check_hosts(ld, root, &f[X_CLOCK]) < 0)
		return -1;
	if (!f[X_TRAFFIC].v)
		return 0;
	if (topo_get_seq(ld, &f[X_TRAFFIC], &seq) < 0)
		return -1;
	for (int i = 0; i < seq_len(seq); i++)
		if (load_traffic_item(ld, seq_item(ld, seq, i)) < 0)
			return -1;
	return 0;
}
