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
 *     - { pattern: permutation, rate: 100G }         # the workload file's
 *     - { pattern: incast, senders: [h1, h2], to: h0 } # pattern format
 *     - { workload: ../../workloads/examples/mixed.yaml }
 *
 * Patterns and included workload files are expanded by the workload
 * generators (control/workload/, scheduler/src/workload.c): one format
 * and one implementation for `traffic:`, `loomctl workload` and
 * experiments. Patterns draw from one PRNG seeded with `seed`.
 *
 * Read after the fabric is loaded and validated, so that host names and
 * leaves are known. Errors name file and line like every other check.
 */
#include <stdlib.h>
#include <string.h>

#include "loom/flow_hash.h"
#include "topo_internal.h"
#include "loom/workload.h"
#include "workload/workload.h"

/* Smallest frames a generator host sends (dataplane/hosts/gen_host.h:
 * Ethernet + IPv4 + UDP [+ BTH] + its 32-byte payload header). */
#define MIN_FRAME_UDP 74
#define MIN_FRAME_ROCEV2 86
#define MAX_FRAME 2000

enum { X_CLOCK, X_SEED, X_DURATION, X_TRAFFIC, X_JITTER };

static int seq_len(const yaml_node_t *seq)
{
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct topo_loader *ld, yaml_node_t *seq, int i)
{
	return yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[i]);
}

static int grow(struct topo_loader *ld, int line, size_t more)
{
	struct topology *t = ld->t;
	struct loom_flow_spec *nf = realloc(t->flows, ((size_t)t->n_flows + more + 1) * sizeof(*nf));

	if (!nf)
		return yaml_doc_error(&ld->yd, line, "out of memory");
	t->flows = nf;
	return 0;
}

/* What the traffic items share: one PRNG from the topology's seed, drawn
 * in item order, and the collective count (collectives are numbered
 * across items). */
struct traffic_state {
	struct loom_rng rng;
	uint32_t n_collectives;
	char dir[512]; /* the topology file's folder: workload includes and CDF paths are relative to it */
};

/* Flows may only run between generator hosts, at frame sizes they send. */
static int check_flow(struct topo_loader *ld, int line, const struct loom_flow_spec *s)
{
	const struct topology *t = ld->t;
	unsigned min = s->transport == LOOM_FLOW_ROCEV2 ? MIN_FRAME_ROCEV2 : MIN_FRAME_UDP;

	for (int k = 0; k < 2; k++) {
		uint32_t h = k ? s->dst_host : s->src_host;

		if (t->hosts[h].port_type != TOPO_PORT_GENERATOR)
			return yaml_doc_error(&ld->yd, line,
					  "traffic: host %s is not a generator host (port_type: generator): "
					  "flows run between generator hosts", t->hosts[h].name);
	}
	if (s->src_host == s->dst_host)
		return yaml_doc_error(&ld->yd, line, "flow from %s to itself", t->hosts[s->src_host].name);
	if (s->cc != LOOM_FLOW_CC_NONE && !s->ecn_capable)
		return yaml_doc_error(&ld->yd, line, "traffic: cc: %s reacts to ECN marks: the flow needs ecn: true",
				  workload_cc_name(s->cc));
	if (s->pkt_bytes && (s->pkt_bytes < min || s->pkt_bytes > MAX_FRAME))
		return yaml_doc_error(&ld->yd, line, "traffic: packet %u: generator hosts send frames of %u..%u bytes",
				  s->pkt_bytes, min, MAX_FRAME);
	return 0;
}

/* Appends flows (generated with ids 0..) to the topology's, renumbering
 * ids after the flows already there and collectives after `coll_base`. */
static int append_flows(struct topo_loader *ld, int line, const struct loom_flow_list *l, uint32_t coll_base)
{
	struct topology *t = ld->t;

	if (grow(ld, line, l->n) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		struct loom_flow_spec s = l->v[i];

		if (check_flow(ld, line, &s) < 0)
			return -1;
		s.id = (uint32_t)t->n_flows;
		if (s.group)
			s.group = LOOM_WL_GROUP(LOOM_WL_GROUP_COLLECTIVE(s.group) + coll_base,
						LOOM_WL_GROUP_PHASE(s.group));
		t->flows[t->n_flows++] = s;
	}
	return 0;
}

/* `start: chained` (what `topo expand` writes for later collective phases). */
static int take_chained_start(struct topo_loader *ld, struct yaml_doc_field *start, struct loom_flow_spec *s)
{
	const char *str;

	if (!start->v || start->v->type != YAML_SCALAR_NODE)
		return 0;
	str = (const char *)start->v->data.scalar.value;
	if (strcmp(str, "chained") != 0)
		return 0;
	(void)ld;
	s->start = LOOM_WL_START_CHAINED;
	start->k = start->v = NULL;
	return 1;
}

enum { T_SRC, T_DST, T_BYTES, T_SRC_PORT, T_GROUP, T_OPTS };
#define T_N (T_OPTS + WORKLOAD_N_FLOW_OPTS)

static int load_flow(struct topo_loader *ld, yaml_node_t *n)
{
	struct yaml_doc_field f[T_N] = { { "src" }, { "dst" }, { "bytes" }, { "src_port" }, { "group" } };
	struct loom_flow_spec s;
	const char *src, *dst;
	unsigned long v;
	int h;

	for (int i = 0; i < WORKLOAD_N_FLOW_OPTS; i++)
		f[T_OPTS + i].key = workload_flow_opt_key(i);
	if (yaml_doc_fields(&ld->yd, n, "traffic item", f, T_N) < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	if (yaml_doc_require(&ld->yd, n, "flow", &f[T_SRC]) < 0 || yaml_doc_require(&ld->yd, n, "flow", &f[T_DST]) < 0 ||
	    yaml_doc_get_str(&ld->yd, &f[T_SRC], &src) < 0 || yaml_doc_get_str(&ld->yd, &f[T_DST], &dst) < 0)
		return -1;
	for (int k = 0; k < 2; k++) {
		h = topo_host_index(ld->t, k ? dst : src);
		if (h < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[k ? T_DST : T_SRC].v), "traffic: unknown host '%s'",
					  k ? dst : src);
		*(k ? &s.dst_host : &s.src_host) = (uint32_t)h;
	}
	take_chained_start(ld, &f[T_OPTS], &s);
	if (workload_flow_opts(&ld->yd, &f[T_OPTS], &s) < 0)
		return -1;
	if (f[T_BYTES].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_BYTES], 0, UINT64_MAX, &v) < 0)
			return -1;
		s.bytes = v;
	}
	if (f[T_SRC_PORT].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_SRC_PORT], 1, 65535, &v) < 0)
			return -1;
		s.src_port = (uint16_t)v;
	}
	if (f[T_GROUP].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_GROUP], 0, UINT32_MAX, &v) < 0)
			return -1;
		s.group = (uint32_t)v;
	}
	if (check_flow(ld, yaml_doc_line(n), &s) < 0 || grow(ld, yaml_doc_line(n), 1) < 0)
		return -1;
	s.id = (uint32_t)ld->t->n_flows;
	ld->t->flows[ld->t->n_flows++] = s;
	return 0;
}

/* `{ pattern: ... }`: one entry in the workload file's pattern format,
 * expanded by control/workload/ with the topology's seed. */
static int load_pattern(struct topo_loader *ld, yaml_node_t *n, struct traffic_state *ts)
{
	struct workload wl;
	int rc;

	memset(&wl, 0, sizeof(wl));
	loom_flow_list_init(&wl.flows);
	wl.n_collectives = ts->n_collectives;
	rc = workload_expand_pattern(&ld->yd, n, ld->t, ts->dir, &ts->rng, &wl);
	if (rc == 0)
		rc = append_flows(ld, yaml_doc_line(n), &wl.flows, 0);
	if (rc == 0)
		ts->n_collectives = wl.n_collectives;
	workload_free(&wl);
	return rc;
}

/* `{ workload: FILE }`: a whole workload file (its own seed), relative
 * to the topology's folder. */
static int load_include(struct topo_loader *ld, yaml_node_t *n, struct traffic_state *ts)
{
	struct yaml_doc_field f[] = { { "workload" } };
	char path[1024], err[1024];
	struct workload wl;
	const char *file;
	int rc;

	if (yaml_doc_fields(&ld->yd, n, "traffic item", f, 1) < 0 || yaml_doc_get_str(&ld->yd, &f[0], &file) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" : ts->dir, file[0] == '/' ? "" : "/", file);
	if (workload_load(path, ld->t, &wl, err, sizeof(err)) < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[0].v), "workload: %s", err);
	rc = append_flows(ld, yaml_doc_line(n), &wl.flows, ts->n_collectives);
	ts->n_collectives += wl.n_collectives;
	workload_free(&wl);
	return rc;
}

static bool has_key(yaml_node_t *n, struct topo_loader *ld, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->yd.doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return true;
	}
	return false;
}

static int load_traffic_item(struct topo_loader *ld, yaml_node_t *n, struct traffic_state *ts)
{
	if (has_key(n, ld, "pattern"))
		return load_pattern(ld, n, ts);
	if (has_key(n, ld, "workload"))
		return load_include(ld, n, ts);
	return load_flow(ld, n);
}

/* The line of `key` in mapping `map`; 0 when absent. */
static int key_line(const struct topo_loader *ld, yaml_node_t *map, const char *key, yaml_node_t **value)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->yd.doc, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
			if (value)
				*value = yaml_document_get_node(ld->yd.doc, p->value);
			return yaml_doc_line(k);
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

	return pt_line ? pt_line : gen_line ? gen_line : yaml_doc_line(root);
}

/* Generator hosts live inside loomd with one IPv4 interface (so in one
 * plane: dataplane/hosts/ builds IPv4 frames only, from the one leaf port
 * it is given); a virtual clock admits nothing else (a kernel cannot run
 * in virtual time). */
static int check_hosts(struct topo_loader *ld, yaml_node_t *root, const struct yaml_doc_field *clock)
{
	const struct topology *t = ld->t;

	for (int h = 0; h < t->n_hosts; h++) {
		const struct topo_host *host = &t->hosts[h];
		int line = host->pos.line ? host->pos.line : yaml_doc_line(root);
		int links = 0;

		if (t->clock == TOPO_CLOCK_VIRTUAL && host->port_type != TOPO_PORT_GENERATOR)
			return yaml_doc_error(&ld->yd, line,
					  "host %s is a namespace host, but 'clock: virtual' (line %d) runs only "
					  "generator hosts: a kernel cannot run in virtual time (give the hosts "
					  "port_type: generator, or use clock: realtime)",
					  host->name, yaml_doc_line(clock->k));
		if (host->port_type != TOPO_PORT_GENERATOR)
			continue;
		if (t->n_planes > 1)
			return yaml_doc_error(&ld->yd, host->pos.line ? line : generated_line(ld, root),
					  "generator host %s in a fabric of %d planes: generator hosts (and so "
					  "'clock: virtual') have one IPv4 interface, in one plane; use one plane "
					  "(planes: 1), or namespace hosts (port_type: af_packet) with clock: realtime",
					  host->name, t->n_planes);
		for (int i = 0; i < t->n_links; i++)
			links += (t->links[i].a.is_host && t->links[i].a.node == h) ||
				 (t->links[i].b.is_host && t->links[i].b.node == h);
		if (links != 1)
			return yaml_doc_error(&ld->yd, line,
					  "generator host %s has %d links: generator hosts have one interface "
					  "(one plane)", host->name, links);
		if (t->links[topo_host_link(t, h)].a.devargs[0] || t->links[topo_host_link(t, h)].b.devargs[0])
			return yaml_doc_error(&ld->yd, line,
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

static bool uses_generator_hosts(const struct topology *t)
{
	if (t->clock == TOPO_CLOCK_VIRTUAL)
		return true;
	for (int h = 0; h < t->n_hosts; h++)
		if (t->hosts[h].port_type == TOPO_PORT_GENERATOR)
			return true;
	return false;
}

int topo_experiment(struct topo_loader *ld, yaml_node_t *root, struct yaml_doc_field *f)
{
	struct topology *t = ld->t;
	struct traffic_state ts;
	unsigned long seed;
	yaml_node_t *seq;
	const char *s, *slash;

	t->clock = TOPO_CLOCK_REALTIME;
	if (f[X_CLOCK].v) {
		if (yaml_doc_get_str(&ld->yd, &f[X_CLOCK], &s) < 0)
			return -1;
		if (strcmp(s, "virtual") == 0)
			t->clock = TOPO_CLOCK_VIRTUAL;
		else if (strcmp(s, "realtime") != 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[X_CLOCK].v), "bad clock '%s' (realtime or virtual)", s);
	}
	if (f[X_SEED].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[X_SEED], 0, UINT64_MAX, &seed) < 0)
			return -1;
		t->seed = seed;
		apply_seed(t);
	}
	if (f[X_DURATION].v && topo_get_delay(&ld->yd, &f[X_DURATION], &t->duration_ns) < 0)
		return -1;
	if (f[X_JITTER].v && topo_get_delay(&ld->yd, &f[X_JITTER], &t->host_jitter_ns) < 0)
		return -1;
	if (t->clock == TOPO_CLOCK_VIRTUAL && t->duration_ns == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[X_CLOCK].v),
				  "'clock: virtual' needs a 'duration' (e.g. duration: 1ms)");
	if (check_hosts(ld, root, &f[X_CLOCK]) < 0)
		return -1;
	if (t->time_scale > 0 && t->time_scale != 1 && uses_generator_hosts(t))
		return yaml_doc_error(&ld->yd, f[X_CLOCK].v ? yaml_doc_line(f[X_CLOCK].v) : 1,
				  "time_scale goes with namespace hosts in real time only: generator hosts "
				  "pace at their link's own rate and virtual time runs every link at it "
				  "(leave time_scale out)");
	if (!f[X_TRAFFIC].v)
		return 0;
	if (yaml_doc_get_seq(&ld->yd, &f[X_TRAFFIC], &seq) < 0)
		return -1;
	loom_rng_seed(&ts.rng, t->seed);
	ts.n_collectives = 0;
	slash = strrchr(t->file, '/');
	snprintf(ts.dir, sizeof(ts.dir), "%.*s", slash ? (int)(slash - t->file) : 1, slash ? t->file : ".");
	for (int i = 0; i < seq_len(seq); i++)
		if (load_traffic_item(ld, seq_item(ld, seq, i), &ts) < 0)
			return -1;
	return 0;
}
