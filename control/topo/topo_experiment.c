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
 * `traffic:` is read by the workload code (control/workload/workload_traffic.c,
 * handed in as struct topo_traffic: this folder does not depend on it): one
 * format and one implementation for `traffic:`, `loomctl workload` and
 * experiments. Patterns draw from one PRNG seeded with `seed`.
 *
 * Read after the fabric is loaded and validated, so that host names and
 * leaves are known. Errors name file and line like every other check.
 */
#include <string.h>

#include "loom/lb/flow_hash.h"
#include "topo_internal.h"

enum { X_CLOCK, X_SEED, X_DURATION, X_TRAFFIC, X_JITTER, X_NIC };

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

/* Generator hosts live inside loomd with one IPv4 interface per plane
 * (dataplane/hosts/gen_plane.h: several planes in virtual time only); a
 * virtual clock admits nothing else (a kernel cannot run in virtual
 * time). */
static int check_hosts(struct topo_loader *ld, yaml_node_t *root, const struct yaml_doc_field *clock)
{
	const struct topology *t = ld->t;

	for (int h = 0; h < t->n_hosts; h++) {
		const struct topo_host *host = &t->hosts[h];
		int line = host->pos.line ? host->pos.line : yaml_doc_line(root);
		int links = 0;

		if (t->clock == TOPO_CLOCK_VIRTUAL && host->port_type == TOPO_PORT_VM)
			return yaml_doc_error(&ld->yd, host->pos.line ? line : generated_line(ld, root),
					  "host %s is a VM host (port_type: vm), but 'clock: virtual' (line %d) "
					  "runs only generator hosts: a QEMU guest runs in real time (give the "
					  "hosts port_type: generator, or use clock: realtime)",
					  host->name, yaml_doc_line(clock->k));
		if (host->port_type == TOPO_PORT_VM) {
			/* loomctl up makes the vhost-user socket of each of its NICs */
			for (int i = 0; i < t->n_links; i++) {
				const struct topo_link *l = &t->links[i];

				if (((l->a.is_host && l->a.node == h) || (l->b.is_host && l->b.node == h)) &&
				    (l->a.devargs[0] || l->b.devargs[0]))
					return yaml_doc_error(&ld->yd, l->pos.line,
							  "host %s is a VM host: its links take no devargs "
							  "(loomctl up attaches it through a vhost-user socket)",
							  host->name);
			}
		}
		if (t->clock == TOPO_CLOCK_VIRTUAL && host->port_type != TOPO_PORT_GENERATOR)
			return yaml_doc_error(&ld->yd, line,
					  "host %s is a namespace host, but 'clock: virtual' (line %d) runs only "
					  "generator hosts: a kernel cannot run in virtual time (give the hosts "
					  "port_type: generator, or use clock: realtime)",
					  host->name, yaml_doc_line(clock->k));
		if (host->port_type != TOPO_PORT_GENERATOR)
			continue;
		if (t->n_planes > 1 && t->clock != TOPO_CLOCK_VIRTUAL)
			return yaml_doc_error(&ld->yd, host->pos.line ? line : generated_line(ld, root),
					  "generator host %s in a fabric of %d planes: a multi-plane generator host "
					  "runs in virtual time only (clock: virtual), or use namespace hosts "
					  "(port_type: af_packet) with clock: realtime", host->name, t->n_planes);
		for (int i = 0; i < t->n_links; i++)
			links += (t->links[i].a.is_host && t->links[i].a.node == h) ||
				 (t->links[i].b.is_host && t->links[i].b.node == h);
		/* the validation made them one per plane at most (interface ethP in plane P) */
		if (links != t->n_planes)
			return yaml_doc_error(&ld->yd, line,
					  "generator host %s has %d link%s in a fabric of %d plane%s: a generator "
					  "host has one interface in each plane", host->name, links,
					  links == 1 ? "" : "s", t->n_planes, t->n_planes == 1 ? "" : "s");
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
	unsigned long seed;
	yaml_node_t *seq;
	const char *s;

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
	if (check_hosts(ld, root, &f[X_CLOCK]) < 0 || topo_load_nic(ld, &f[X_NIC]) < 0)
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
	return ld->traffic->read(&ld->yd, seq, t);
}
