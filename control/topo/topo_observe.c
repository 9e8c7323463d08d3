/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtual-time run's trace and captures (docs/TRACE.md): what `loomctl
 * trace` and `loomctl capture` do in real time, from t = 0 of the run.
 *
 *   trace: { at: leaf0[:0], count: 4, match: "dst 10.0.1.2 and udp" }
 *       # the trace goes into the results ("trace")
 *   capture:
 *     - { link: spine0:1, dir: both, count: 100, filter: udp, file: s0.pcapng }
 *       # pcapng with virtual time stamps, written by loomd (no symlink followed)
 *
 * Virtual time only: in real time the commands do it while the fabric
 * runs. The expressions are checked by loomd when it loads them (their
 * grammar is the data path's, dataplane/trace/pkt_filter.h), with the key
 * they came from in the message.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

/* SWITCH or SWITCH:PORT (port_required: the port too), port < the
 * switch's port count. */
static int switch_port(struct topo_loader *ld, yaml_node_t *v, const char *s, bool port_required, int *sw,
		       int *port)
{
	const struct topology *t = ld->t;
	char name[TOPO_NAME_MAX];
	const char *colon = strrchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int n_ports = 0;
	char *end;

	if (len >= sizeof(name) || (port_required && !colon))
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "'%s' must be SWITCH%s", s,
				      port_required ? ":PORT" : " or SWITCH:PORT");
	memcpy(name, s, len);
	name[len] = '\0';
	*sw = topo_switch_index(t, name);
	if (*sw < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "no switch '%s'", name);
	*port = -1;
	if (!colon)
		return 0;
	*port = (int)strtol(colon + 1, &end, 10);
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_end *e[2] = {&t->links[i].a, &t->links[i].b};

		for (int k = 0; k < 2; k++)
			if (!e[k]->is_host && e[k]->node == *sw && e[k]->port == *port)
				n_ports++;
	}
	if (*end || end == colon + 1 || *port < 0 || n_ports == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "switch %s has no port '%s' with a link", name,
				      colon + 1);
	return 0;
}

static int text(struct topo_loader *ld, const struct yaml_doc_field *f, char *out, size_t len)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (strlen(s) >= len)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "'%s' is longer than %zu characters", f->key, len - 1);
	snprintf(out, len, "%s", s);
	return 0;
}

static int load_trace(struct topo_loader *ld, const struct yaml_doc_field *tf)
{
	struct topo_observe *o = &ld->t->observe;
	struct yaml_doc_field f[3] = {{"at"}, {"count"}, {"match"}};
	unsigned long count = 1;
	const char *at;

	if (yaml_doc_fields(&ld->yd, tf->v, "trace", f, 3) < 0 || yaml_doc_require(&ld->yd, tf->v, "trace", &f[0]) < 0 ||
	    yaml_doc_get_str(&ld->yd, &f[0], &at) < 0 ||
	    switch_port(ld, f[0].v, at, false, &o->trace_sw, &o->trace_port) < 0)
		return -1;
	/* the upper bound is loomd's (LOOM_TRACE_PACKETS_MAX), which says so */
	if (f[1].v && yaml_doc_get_uint(&ld->yd, &f[1], 1, 65535, &count) < 0)
		return -1;
	if (f[2].v && text(ld, &f[2], o->trace_match, sizeof(o->trace_match)) < 0)
		return -1;
	o->trace = true;
	o->trace_count = (uint32_t)count;
	return 0;
}

static int load_capture(struct topo_loader *ld, yaml_node_t *m, struct topo_capture *c)
{
	struct yaml_doc_field f[5] = {{"link"}, {"file"}, {"dir"}, {"count"}, {"filter"}};
	unsigned long count = 0;
	const char *s;

	if (yaml_doc_fields(&ld->yd, m, "capture", f, 5) < 0 || yaml_doc_require(&ld->yd, m, "capture", &f[0]) < 0 ||
	    yaml_doc_require(&ld->yd, m, "capture", &f[1]) < 0 || yaml_doc_get_str(&ld->yd, &f[0], &s) < 0 ||
	    switch_port(ld, f[0].v, s, true, &c->sw, &c->port) < 0 || text(ld, &f[1], c->file, sizeof(c->file)) < 0)
		return -1;
	snprintf(c->dir, sizeof(c->dir), "both");
	if (f[2].v) {
		if (yaml_doc_get_str(&ld->yd, &f[2], &s) < 0)
			return -1;
		if (strcmp(s, "rx") && strcmp(s, "tx") && strcmp(s, "both"))
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[2].v), "capture: dir is rx, tx or both, not '%s'", s);
		snprintf(c->dir, sizeof(c->dir), "%s", s);
	}
	if (f[3].v && yaml_doc_get_uint(&ld->yd, &f[3], 0, 1ul << 40, &count) < 0)
		return -1;
	c->count = count;
	return f[4].v ? text(ld, &f[4], c->filter, sizeof(c->filter)) : 0;
}

int topo_load_observe(struct topo_loader *ld, const struct yaml_doc_field *trace, const struct yaml_doc_field *capture)
{
	struct topo_observe *o = &ld->t->observe;
	const struct yaml_doc_field *first = trace->k ? trace : capture;
	yaml_node_t *seq;

	if (!trace->k && !capture->k)
		return 0;
	if (ld->t->clock != TOPO_CLOCK_VIRTUAL)
		return yaml_doc_error(&ld->yd, yaml_doc_line(first->k),
				      "'%s' goes with clock: virtual (in real time, loomctl trace and loomctl capture "
				      "do it while the fabric runs)",
				      first->key);
	if (trace->v && load_trace(ld, trace) < 0)
		return -1;
	if (!capture->v)
		return 0;
	if (yaml_doc_get_seq(&ld->yd, capture, &seq) < 0)
		return -1;
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		if (o->n_captures == TOPO_CAPTURES_MAX)
			return yaml_doc_error(&ld->yd, yaml_doc_line(capture->v), "capture: at most %d", TOPO_CAPTURES_MAX);
		if (load_capture(ld, yaml_document_get_node(ld->yd.doc, *it), &o->cap[o->n_captures]) < 0)
			return -1;
		o->n_captures++;
	}
	return 0;
}

/* YAML double-quoted, for expressions and paths (no control characters in them). */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void topo_write_observe(const struct topology *t, FILE *out)
{
	const struct topo_observe *o = &t->observe;

	if (o->trace) {
		fprintf(out, "trace: { at: %s", t->switches[o->trace_sw].name);
		if (o->trace_port >= 0)
			fprintf(out, ":%d", o->trace_port);
		fprintf(out, ", count: %u", o->trace_count);
		if (o->trace_match[0]) {
			fputs(", match: ", out);
			quoted(out, o->trace_match);
		}
		fputs(" }\n", out);
	}
	if (o->n_captures)
		fputs("capture:\n", out);
	for (int i = 0; i < o->n_captures; i++) {
		const struct topo_capture *c = &o->cap[i];

		fprintf(out, "  - { link: %s:%d, dir: %s, count: %llu, file: ", t->switches[c->sw].name, c->port, c->dir,
			(unsigned long long)c->count);
		quoted(out, c->file);
		if (c->filter[0]) {
			fputs(", filter: ", out);
			quoted(out, c->filter);
		}
		fputs(" }\n", out);
	}
}
