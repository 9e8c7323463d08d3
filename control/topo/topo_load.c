/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the topology file: the YAML document is read whole (libyaml's
 * document API keeps every node's line for messages), the explicit form
 * is turned into the model here and the generator form in topo_expand.c;
 * topo_validate.c then checks the result as a whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "loom/lb/flow_hash.h"
#include "topo_internal.h"

#define DEFAULT_RATE_BPS 10000000000ull /* 10G */
#define DEFAULT_DELAY_NS 1000ull        /* 1us */

enum { K_FABRIC, K_DEFAULTS, K_SWITCHES, K_HOSTS, K_LINKS, K_PLANES_JOINED, K_GENERATE, K_TIME_SCALE, K_TM,
       K_CLOCK, K_SEED, K_DURATION, K_TRAFFIC, K_HOST_JITTER, K_NIC, K_LOAD_BALANCING, K_MODE, K_CELL, K_HASH_SEED,
       K_FAULT_HANDLING, K_FAULTS, K_TRACE, K_CAPTURE, K_PARTITION, K_MACHINES, K_TOP };

static yaml_node_t *item(struct topo_loader *ld, yaml_node_t *seq, int i)
{
	return yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[i]);
}

static int seq_len(const yaml_node_t *seq)
{
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

/* Switch i is i in the name table, host h is n_switches + h. */
static int node_line(const struct topology *t, int v)
{
	return v < t->n_switches ? t->switches[v].pos.line : t->hosts[v - t->n_switches].pos.line;
}

static int add_name(struct topo_loader *ld, const struct yaml_doc_field *f, const char *name, int v)
{
	int prev = topo_names_put(&ld->names, name, v);

	if (prev == -2)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "out of memory");
	if (prev >= 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "duplicate name '%s' (first at line %d)",
				  name, node_line(ld->t, prev));
	return 0;
}

static int load_defaults(struct topo_loader *ld, const struct yaml_doc_field *top)
{
	struct yaml_doc_field f[] = { { "link_rate" }, { "delay" }, { "mtu" } };

	if (yaml_doc_fields(&ld->yd, top->v, "defaults", f, 3) < 0)
		return -1;
	if (f[2].v && topo_get_mtu(&ld->yd, &f[2], &ld->t->default_mtu) < 0)
		return -1;
	if (f[0].v && topo_get_rate(&ld->yd, &f[0], &ld->t->default_rate_bps) < 0)
		return -1;
	if (f[1].v && topo_get_delay(&ld->yd, &f[1], &ld->t->default_delay_ns) < 0)
		return -1;
	return 0;
}

/* --- switches ---------------------------------------------------------------- */

static int load_role(struct topo_loader *ld, const struct yaml_doc_field *f, enum topo_role *role)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	for (int r = TOPO_LEAF; r <= TOPO_SUPERSPINE; r++) {
		if (strcmp(s, topo_role_name(r)) == 0) {
			*role = r;
			return 0;
		}
	}
	return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "bad role '%s' (leaf, spine or superspine)", s);
}

/* A pod groups leaves with the spines they link to; super-spines join the
 * pods and so belong to none. Shared super-spines (planes_joined) belong
 * to no plane either: their `plane` is 0 in the model. */
static int load_pod_plane(struct topo_loader *ld, struct yaml_doc_field *pod, struct yaml_doc_field *plane,
			  struct topo_switch *sw)
{
	unsigned long v = 0;
	bool super = sw->role == TOPO_SUPERSPINE;

	if (super && pod->v)
		return yaml_doc_error(&ld->yd, yaml_doc_line(pod->v),
				  "pod on superspine %s: super-spines belong to no pod", sw->name);
	if (pod->v && yaml_doc_get_uint(&ld->yd, pod, 0, TOPO_MAX_PODS - 1, &v) < 0)
		return -1;
	sw->pod = super ? TOPO_NO_POD : (int)v;
	if (super && ld->t->planes_joined && plane->v)
		return yaml_doc_error(&ld->yd, yaml_doc_line(plane->v),
				  "plane on superspine %s: with planes_joined the super-spines are "
				  "shared by every plane", sw->name);
	v = 0;
	if (plane->v && yaml_doc_get_uint(&ld->yd, plane, 0, TOPO_MAX_PLANES - 1, &v) < 0)
		return -1;
	sw->plane = (int)v;
	return 0;
}

static int load_pipeline(struct topo_loader *ld, const struct yaml_doc_field *f, enum topo_pipeline *pipeline)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (strcmp(s, "native") == 0)
		*pipeline = TOPO_PIPELINE_NATIVE;
	else if (strcmp(s, "p4") == 0)
		*pipeline = TOPO_PIPELINE_P4;
	else
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "bad pipeline '%s' (native or p4)", s);
	return 0;
}

static int load_options(struct topo_loader *ld, const struct yaml_doc_field *opt, struct topo_switch *sw)
{
	struct yaml_doc_field f[] = { { "hash_seed" }, { "load_balancing" } };
	unsigned long seed;

	if (yaml_doc_fields(&ld->yd, opt->v, "options", f, 2) < 0)
		return -1;
	if (f[1].v && topo_load_lb(ld, &f[1], &sw->lb, true) < 0)
		return -1;
	if (f[0].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[0], 0, UINT32_MAX, &seed) < 0)
			return -1;
		sw->hash_seed = (uint32_t)seed;
		sw->hash_seed_given = true;
	}
	return 0;
}

static int load_switch(struct topo_loader *ld, yaml_node_t *n, int i)
{
	enum { S_NAME, S_ROLE, S_PLANE, S_POD, S_IPV4, S_IPV6, S_OPTIONS, S_PIPELINE, S_TM, S_MACHINE, S_N };
	struct yaml_doc_field f[S_N] = { { "name" }, { "role" }, { "plane" }, { "pod" },
				     { "ipv4" }, { "ipv6" }, { "options" }, { "pipeline" }, { "tm" },
				     { "machine" } };
	struct topo_switch *sw = &ld->t->switches[i];

	sw->pos.line = yaml_doc_line(n);
	sw->machine = -1;
	if (yaml_doc_fields(&ld->yd, n, "switch", f, S_N) < 0 ||
	    yaml_doc_require(&ld->yd, n, "switch", &f[S_NAME]) < 0 ||
	    yaml_doc_require(&ld->yd, n, "switch", &f[S_ROLE]) < 0)
		return -1;
	if (topo_get_name(&ld->yd, &f[S_NAME], sw->name) < 0 ||
	    add_name(ld, &f[S_NAME], sw->name, i) < 0 ||
	    load_role(ld, &f[S_ROLE], &sw->role) < 0 ||
	    load_pod_plane(ld, &f[S_POD], &f[S_PLANE], sw) < 0)
		return -1;
	if (f[S_IPV4].v) {
		if (topo_get_prefix(&ld->yd, &f[S_IPV4], &sw->subnet4) < 0)
			return -1;
		ld->src.sw[i].ipv4 = yaml_doc_line(f[S_IPV4].v);
	}
	if (f[S_IPV6].v) {
		if (topo_get_prefix(&ld->yd, &f[S_IPV6], &sw->subnet6) < 0)
			return -1;
		ld->src.sw[i].ipv6 = yaml_doc_line(f[S_IPV6].v);
	}
	sw->hash_seed = loom_seed_from_name(sw->name);
	if (f[S_OPTIONS].v && load_options(ld, &f[S_OPTIONS], sw) < 0)
		return -1;
	if (f[S_PIPELINE].v && load_pipeline(ld, &f[S_PIPELINE], &sw->pipeline) < 0)
		return -1;
	if (f[S_TM].v && topo_load_tm(ld, &f[S_TM], i) < 0)
		return -1;
	if (f[S_MACHINE].v && topo_get_machine(ld, &f[S_MACHINE], &sw->machine) < 0)
		return -1;
	return 0;
}

static int load_switches(struct topo_loader *ld, const struct yaml_doc_field *top)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;

	if (yaml_doc_get_seq(&ld->yd, top, &seq) < 0)
		return -1;
	ld->src.switches_line = yaml_doc_line(top->k);
	if (seq_len(seq) == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(top->k), "fabric has no switches");
	t->switches = calloc((size_t)seq_len(seq), sizeof(*t->switches));
	ld->src.sw = calloc((size_t)seq_len(seq), sizeof(*ld->src.sw));
	if (!t->switches || !ld->src.sw)
		return yaml_doc_error(&ld->yd, yaml_doc_line(top->k), "out of memory");
	t->n_switches = seq_len(seq);
	for (int i = 0; i < t->n_switches; i++)
		if (load_switch(ld, item(ld, seq, i), i) < 0)
			return -1;
	return 0;
}

/* --- hosts ------------------------------------------------------------------- */

static int load_host(struct topo_loader *ld, yaml_node_t *n, int i)
{
	struct yaml_doc_field f[] = { { "name" }, { "port_type" }, { "endpoint" }, { "machine" } };
	struct topo_host *h = &ld->t->hosts[i];

	h->pos.line = yaml_doc_line(n);
	h->machine = -1;
	if (yaml_doc_fields(&ld->yd, n, "host", f, 4) < 0 || yaml_doc_require(&ld->yd, n, "host", &f[0]) < 0)
		return -1;
	if (topo_get_name(&ld->yd, &f[0], h->name) < 0 ||
	    add_name(ld, &f[0], h->name, ld->t->n_switches + i) < 0)
		return -1;
	if (f[1].v && topo_get_port_type(&ld->yd, &f[1], &h->port_type) < 0)
		return -1;
	if (f[2].v && topo_load_endpoint(ld, &f[2], h) < 0)
		return -1;
	if (f[3].v && topo_get_machine(ld, &f[3], &h->machine) < 0)
		return -1;
	return 0;
}

static int load_hosts(struct topo_loader *ld, const struct yaml_doc_field *top)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;

	if (yaml_doc_get_seq(&ld->yd, top, &seq) < 0)
		return -1;
	t->hosts = calloc((size_t)seq_len(seq) + 1, sizeof(*t->hosts));
	if (!t->hosts)
		return yaml_doc_error(&ld->yd, yaml_doc_line(top->k), "out of memory");
	t->n_hosts = seq_len(seq);
	for (int i = 0; i < t->n_hosts; i++)
		if (load_host(ld, item(ld, seq, i), i) < 0)
			return -1;
	return 0;
}

/* --- links ------------------------------------------------------------------- */

/* "3" -> 3 within 0..max; digits only (no sign, no spaces). */
static int small_uint(const char *s, int max)
{
	long v = 0;

	if (!*s || strlen(s) > 6)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? (int)v : -2;
}

static int end_port(struct topo_loader *ld, const struct yaml_doc_field *f, const char *s,
		    const char *colon, struct topo_end *e)
{
	int line = yaml_doc_line(f->v);

	if (!e->is_host) {
		if (!colon)
			return yaml_doc_error(&ld->yd, line, "link end '%s' needs a port: %s:<0..%d>",
					  s, s, TOPO_MAX_PORTS - 1);
		e->port = small_uint(colon + 1, TOPO_MAX_PORTS - 1);
		if (e->port == -1)
			return yaml_doc_error(&ld->yd, line,
					  "bad port in link end '%s': expected switch:<0..%d>", s,
					  TOPO_MAX_PORTS - 1);
		if (e->port == -2)
			return yaml_doc_error(&ld->yd, line,
					  "port out of range 0..%d in link end '%s'",
					  TOPO_MAX_PORTS - 1, s);
		return 0;
	}
	e->port = -1; /* "h0": the plane of its leaf, filled by the validator */
	if (!colon)
		return 0;
	if (strncmp(colon + 1, "eth", 3) != 0 ||
	    (e->port = small_uint(colon + 4, TOPO_MAX_PLANES - 1)) == -1)
		return yaml_doc_error(&ld->yd, line,
				  "bad interface in link end '%s': expected host or host:eth<N>", s);
	if (e->port == -2)
		return yaml_doc_error(&ld->yd, line,
				  "interface out of range eth0..eth%d in link end '%s'",
				  TOPO_MAX_PLANES - 1, s);
	return 0;
}

static int load_end(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_end *e)
{
	const struct topology *t = ld->t;
	char name[TOPO_NAME_MAX];
	const char *s, *colon;
	size_t len;
	int v;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	colon = strchr(s, ':');
	len = colon ? (size_t)(colon - s) : strlen(s);
	if (len == 0 || len >= sizeof(name))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "bad link end '%s': expected switch:port or host[:eth<N>]", s);
	memcpy(name, s, len);
	name[len] = '\0';
	v = topo_names_get(&ld->names, name);
	if (v < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "unknown switch or host '%s' in link end '%s'", name, s);
	e->is_host = v >= t->n_switches;
	e->node = e->is_host ? v - t->n_switches : v;
	return end_port(ld, f, s, colon, e);
}

static int load_devargs(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_end *e,
			int *line)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (strlen(s) >= sizeof(e->devargs))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "'%s' longer than %zu characters",
				  f->key, sizeof(e->devargs) - 1);
	strcpy(e->devargs, s);
	*line = yaml_doc_line(f->v);
	return 0;
}

static int load_link(struct topo_loader *ld, yaml_node_t *n, int i)
{
	enum { L_A, L_B, L_RATE, L_DELAY, L_DEVA, L_DEVB, L_MTU, L_N };
	struct yaml_doc_field f[L_N] = { { "a" }, { "b" }, { "rate" }, { "delay" },
				     { "devargs_a" }, { "devargs_b" }, { "mtu" } };
	struct topo_link *l = &ld->t->links[i];
	struct topo_src_link *src = &ld->src.ln[i];

	l->pos.line = yaml_doc_line(n);
	if (yaml_doc_fields(&ld->yd, n, "link", f, L_N) < 0 || yaml_doc_require(&ld->yd, n, "link", &f[L_A]) < 0 ||
	    yaml_doc_require(&ld->yd, n, "link", &f[L_B]) < 0)
		return -1;
	if (load_end(ld, &f[L_A], &l->a) < 0 || load_end(ld, &f[L_B], &l->b) < 0)
		return -1;
	src->end[0] = yaml_doc_line(f[L_A].v);
	src->end[1] = yaml_doc_line(f[L_B].v);
	l->rate_bps = ld->t->default_rate_bps;
	l->delay_ns = ld->t->default_delay_ns;
	if (f[L_RATE].v && topo_get_rate(&ld->yd, &f[L_RATE], &l->rate_bps) < 0)
		return -1;
	if (f[L_DELAY].v && topo_get_delay(&ld->yd, &f[L_DELAY], &l->delay_ns) < 0)
		return -1;
	l->mtu = ld->t->default_mtu;
	if (f[L_MTU].v && topo_get_mtu(&ld->yd, &f[L_MTU], &l->mtu) < 0)
		return -1;
	if (f[L_DEVA].v && load_devargs(ld, &f[L_DEVA], &l->a, &src->devargs[0]) < 0)
		return -1;
	if (f[L_DEVB].v && load_devargs(ld, &f[L_DEVB], &l->b, &src->devargs[1]) < 0)
		return -1;
	return 0;
}

static int load_links(struct topo_loader *ld, const struct yaml_doc_field *top)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;

	if (yaml_doc_get_seq(&ld->yd, top, &seq) < 0)
		return -1;
	t->links = calloc((size_t)seq_len(seq) + 1, sizeof(*t->links));
	ld->src.ln = calloc((size_t)seq_len(seq) + 1, sizeof(*ld->src.ln));
	if (!t->links || !ld->src.ln)
		return yaml_doc_error(&ld->yd, yaml_doc_line(top->k), "out of memory");
	t->n_links = seq_len(seq);
	for (int i = 0; i < t->n_links; i++)
		if (load_link(ld, item(ld, seq, i), i) < 0)
			return -1;
	return 0;
}

/* --- the document ------------------------------------------------------------ */

static int load_explicit(struct topo_loader *ld, yaml_node_t *root, struct yaml_doc_field *f)
{
	size_t n = 16;

	if (!f[K_SWITCHES].v)
		return yaml_doc_error(&ld->yd, yaml_doc_line(root),
				  "fabric has no switches: give 'switches:' or 'generate:'");
	if (f[K_SWITCHES].v->type == YAML_SEQUENCE_NODE)
		n += (size_t)seq_len(f[K_SWITCHES].v);
	if (f[K_HOSTS].v && f[K_HOSTS].v->type == YAML_SEQUENCE_NODE)
		n += (size_t)seq_len(f[K_HOSTS].v);
	if (topo_names_init(&ld->names, n) < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(root), "out of memory");
	ld->src.fallback_line = yaml_doc_line(root);
	if (load_switches(ld, &f[K_SWITCHES]) < 0)
		return -1;
	if (f[K_HOSTS].v && load_hosts(ld, &f[K_HOSTS]) < 0)
		return -1;
	if (f[K_LINKS].v && load_links(ld, &f[K_LINKS]) < 0)
		return -1;
	return topo_validate(ld->t, &ld->src, &ld->yd);
}

/* Top-level hash_seed: one seed for every switch that does not give its own
 * (options.hash_seed), over the per-switch seeds `seed:` or the names give.
 * Switches that ship with one default seed hash alike at every tier and
 * polarize ECMP (labs/1-ecmp-polarization shows it). */
static int load_fabric_hash_seed(struct topo_loader *ld, const struct yaml_doc_field *f)
{
	unsigned long v;

	if (!f->v)
		return 0;
	if (yaml_doc_get_uint(&ld->yd, f, 0, UINT32_MAX, &v) < 0)
		return -1;
	for (int i = 0; i < ld->t->n_switches; i++)
		if (!ld->t->switches[i].hash_seed_given)
			ld->t->switches[i].hash_seed = (uint32_t)v;
	return 0;
}

/* What every topology loads once its switches, hosts and links are there
 * (written out or generated): placement on machines, then the top-level
 * sections that refer to them. */
static int load_after_switches(struct topo_loader *ld, yaml_node_t *root, struct yaml_doc_field *f, bool generated)
{
	int rc = topo_place_machines(ld, generated);

	if (rc >= 0)
		rc = topo_check_tm(ld);
	if (rc >= 0)
		rc = topo_experiment(ld, root, &f[K_CLOCK]);
	if (rc >= 0)
		rc = load_fabric_hash_seed(ld, &f[K_HASH_SEED]);
	if (rc >= 0)
		rc = topo_load_cell(ld, &f[K_MODE], &f[K_CELL]);
	if (rc >= 0)
		rc = topo_load_faults(ld, &f[K_FAULT_HANDLING], &f[K_FAULTS]);
	if (rc >= 0)
		rc = topo_load_partition(ld, &f[K_PARTITION]);
	return rc < 0 ? rc : topo_load_observe(ld, &f[K_TRACE], &f[K_CAPTURE]);
}

static int load_root(struct topo_loader *ld, yaml_node_t *root)
{
	struct yaml_doc_field f[K_TOP] = { { "fabric" }, { "defaults" },      { "switches" }, { "hosts" },
				       { "links" },  { "planes_joined" }, { "generate" }, { "time_scale" },
				       { "tm" },
				       { "clock" },  { "seed" },          { "duration" }, { "traffic" },
				       { "host_jitter" }, { "nic" }, { "load_balancing" }, { "mode" }, { "cell" },
				       { "hash_seed" }, { "fault_handling" }, { "faults" },
				       { "trace" }, { "capture" }, { "partition" }, { "machines" } };
	int rc;

	if (yaml_doc_fields(&ld->yd, root, "the top level", f, K_TOP) < 0 ||
	    yaml_doc_require(&ld->yd, root, "the top level", &f[K_FABRIC]) < 0 ||
	    topo_get_name(&ld->yd, &f[K_FABRIC], ld->t->name) < 0)
		return -1;
	ld->t->default_rate_bps = DEFAULT_RATE_BPS;
	ld->t->default_delay_ns = DEFAULT_DELAY_NS;
	ld->t->default_mtu = LOOM_MTU_DEFAULT;
	if (f[K_DEFAULTS].v && load_defaults(ld, &f[K_DEFAULTS]) < 0)
		return -1;
	if (f[K_TIME_SCALE].v && topo_load_time_scale(ld, &f[K_TIME_SCALE]) < 0)
		return -1;
	if (f[K_TM].v && topo_load_tm(ld, &f[K_TM], -1) < 0)
		return -1;
	if (f[K_LOAD_BALANCING].v && topo_load_lb(ld, &f[K_LOAD_BALANCING], &ld->t->lb, false) < 0)
		return -1;
	if (f[K_MACHINES].v && topo_load_machines(ld, &f[K_MACHINES]) < 0)
		return -1;
	if (!f[K_GENERATE].v) {
		if (f[K_PLANES_JOINED].v &&
		    yaml_doc_get_bool(&ld->yd, &f[K_PLANES_JOINED], &ld->t->planes_joined) < 0)
			return -1;
		rc = load_explicit(ld, root, f);
		return rc < 0 ? rc : load_after_switches(ld, root, f, false);
	}
	for (int k = K_SWITCHES; k <= K_LINKS; k++)
		if (f[k].k)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[k].k),
					  "'%s' cannot be combined with 'generate' (line %d)",
					  f[k].key, yaml_doc_line(f[K_GENERATE].k));
	/* the generator has its own, next to the plane count */
	if (f[K_PLANES_JOINED].k)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[K_PLANES_JOINED].k),
				  "top-level 'planes_joined' cannot be combined with 'generate' (line %d): "
				  "give it inside 'generate:'", yaml_doc_line(f[K_GENERATE].k));
	rc = topo_expand(ld, &f[K_GENERATE]);
	return rc < 0 ? rc : load_after_switches(ld, root, f, true);
}

static int load_parser(yaml_parser_t *parser, const char *name, const struct topo_traffic *traffic,
		       struct topology *t, char *err, size_t errlen)
{
	struct topo_loader ld = { .yd = { .file = name, .err = err, .errlen = errlen }, .traffic = traffic, .t = t };
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	if (!yaml_parser_load(parser, &doc))
		return yaml_doc_error(&ld.yd, (int)parser->problem_mark.line + 1, "YAML: %s%s%s",
				  parser->problem ? parser->problem : "syntax error",
				  parser->context ? " " : "",
				  parser->context ? parser->context : "");
	ld.yd.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		rc = yaml_doc_error(&ld.yd, 1, "empty file: expected 'fabric:' and 'switches:'");
	else
		rc = load_root(&ld, root);
	yaml_document_delete(&doc);
	topo_names_free(&ld.names);
	free(ld.src.sw);
	free(ld.src.ln);
	return rc;
}

static void topo_init(struct topology *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->file, sizeof(t->file), "%s", name);
}

int topo_load_string(const char *yaml, const char *name, const struct topo_traffic *traffic, struct topology *t,
		     char *err, size_t errlen)
{
	yaml_parser_t parser;
	int rc;

	topo_init(t, name);
	if (errlen)
		err[0] = '\0';
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
	rc = load_parser(&parser, name, traffic, t, err, errlen);
	yaml_parser_delete(&parser);
	if (rc < 0)
		topo_free(t);
	return rc;
}

int topo_load(const char *path, const struct topo_traffic *traffic, struct topology *t, char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *f;
	int rc;

	topo_init(t, path);
	if (errlen)
		err[0] = '\0';
	if (yaml_doc_open(path, &parser, &f, err, errlen) < 0)
		return -1;
	rc = load_parser(&parser, path, traffic, t, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc < 0)
		topo_free(t);
	return rc;
}

void topo_free(struct topology *t)
{
	char file[sizeof(t->file)];

	/* keep the file name: callers print it next to the error */
	memcpy(file, t->file, sizeof(file));
	free(t->switches);
	free(t->hosts);
	free(t->links);
	free(t->tm);
	free(t->flows);
	free(t->faults);
	free(t->partition_group);
	free(t->machines);
	memset(t, 0, sizeof(*t));
	memcpy(t->file, file, sizeof(file));
}
