/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic manager settings of a topology: top-level `time_scale:` and
 * `tm:` (every switch), and `tm:` inside a switch (that switch, over the
 * top-level ones). A `tm:` mapping is flattened to dotted keys
 * ({ecn: {k: 30KB}} is ecn.k; a sequence is a comma list) and every key is
 * checked here with loom/tm/tm_config.h's setter, so that a bad one is
 * reported with its file and line; the compiler then passes them to loomd
 * as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/tm/tm_config.h"
#include "topo_internal.h"

static int add_setting(struct topo_loader *ld, int sw, int port, const char *key, const char *value, int line)
{
	struct topology *t = ld->t;
	struct topo_tm_setting *s;
	struct loom_tm_cfg scratch;
	char msg[256];

	loom_tm_cfg_default(&scratch);
	if (loom_tm_cfg_set(&scratch, key, value, msg, sizeof(msg)) < 0)
		return yaml_doc_error(&ld->yd, line, "tm: %s", msg);
	if (strlen(key) >= sizeof(s->key) || strlen(value) >= sizeof(s->value))
		return yaml_doc_error(&ld->yd, line, "tm: %s: too long", key);
	s = realloc(t->tm, sizeof(*t->tm) * (size_t)(t->n_tm + 1));
	if (!s)
		return yaml_doc_error(&ld->yd, line, "out of memory");
	t->tm = s;
	s = &t->tm[t->n_tm++];
	s->sw = sw;
	s->port = port;
	strcpy(s->key, key);
	strcpy(s->value, value);
	s->line = line;
	return 0;
}

static int flatten(struct topo_loader *ld, yaml_node_t *map, const char *prefix, int sw, int port);

/* A switch's `tm: ports:` — {PORT: {settings}}: each port's own settings. */
static int load_ports(struct topo_loader *ld, yaml_node_t *k, yaml_node_t *map, int sw)
{
	if (sw < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(k), "tm: ports: only in a switch's tm (the ports of which switch?)");
	if (map->type != YAML_MAPPING_NODE)
		return yaml_doc_error(&ld->yd, yaml_doc_line(map), "tm: ports must be a mapping PORT: {settings}");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *pk = yaml_document_get_node(ld->yd.doc, p->key);
		yaml_node_t *pv = yaml_document_get_node(ld->yd.doc, p->value);
		const char *s = pk->type == YAML_SCALAR_NODE ? (const char *)pk->data.scalar.value : "";
		char *end;
		long port = strtol(s, &end, 10);

		if (!*s || *end || port < 0 || port >= TOPO_MAX_PORTS)
			return yaml_doc_error(&ld->yd, yaml_doc_line(pk), "tm: ports: '%s' is not a port number 0..%d", s,
					  TOPO_MAX_PORTS - 1);
		for (int i = 0; i < ld->t->n_tm; i++)
			if (ld->t->tm[i].sw == sw && ld->t->tm[i].port == port)
				return yaml_doc_error(&ld->yd, yaml_doc_line(pk), "tm: ports: port %ld given twice (line %d)",
						  port, ld->t->tm[i].line);
		if (pv->type != YAML_MAPPING_NODE || pv->data.mapping.pairs.start == pv->data.mapping.pairs.top)
			return yaml_doc_error(&ld->yd, yaml_doc_line(pv), "tm: ports: %ld: expected a mapping of settings",
					  port);
		if (flatten(ld, pv, "", sw, (int)port) < 0)
			return -1;
	}
	return 0;
}

static int flatten(struct topo_loader *ld, yaml_node_t *map, const char *prefix, int sw, int port)
{
	if (map->type != YAML_MAPPING_NODE)
		return yaml_doc_error(&ld->yd, yaml_doc_line(map), "tm%s%s must be a mapping", *prefix ? "." : "", prefix);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->yd.doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->yd.doc, p->value);
		char key[96], value[128];

		if (k->type != YAML_SCALAR_NODE)
			return yaml_doc_error(&ld->yd, yaml_doc_line(k), "tm: keys must be scalars");
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", (const char *)k->data.scalar.value);
		if (!*prefix && port < 0 && strcmp(key, "ports") == 0) {
			if (load_ports(ld, k, v, sw) < 0)
				return -1;
			continue;
		}
		if (v->type == YAML_MAPPING_NODE) {
			if (flatten(ld, v, key, sw, port) < 0)
				return -1;
			continue;
		}
		if (v->type == YAML_SEQUENCE_NODE) {
			size_t n = 0;

			value[0] = '\0';
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				yaml_node_t *e = yaml_document_get_node(ld->yd.doc, *it);

				if (e->type != YAML_SCALAR_NODE)
					return yaml_doc_error(&ld->yd, yaml_doc_line(e), "tm: %s: expected a list of scalars",
							  key);
				n += (size_t)snprintf(value + n, n < sizeof(value) ? sizeof(value) - n : 0, "%s%s",
						      n ? "," : "", (const char *)e->data.scalar.value);
			}
			if (n == 0)
				snprintf(value, sizeof(value), "none");
		} else {
			snprintf(value, sizeof(value), "%s", (const char *)v->data.scalar.value);
		}
		if (add_setting(ld, sw, port, key, value, yaml_doc_line(v)) < 0)
			return -1;
	}
	return 0;
}

int topo_load_tm(struct topo_loader *ld, const struct yaml_doc_field *f, int sw)
{
	return flatten(ld, f->v, "", sw, -1);
}

int topo_load_time_scale(struct topo_loader *ld, const struct yaml_doc_field *f)
{
	const char *s;
	char *end;
	double v;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > 1e9)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "time_scale: '%s' must be a number > 0 (e.g. 100: links "
				  "run 100 times slower than their rate)", s);
	ld->t->time_scale = v;
	return 0;
}

/* The settings of switch i (top-level, then its own) and, with port >= 0,
 * that port's over them, applied in order; `line` is the last one's. */
static void effective(const struct topology *t, int i, int port, struct loom_tm_cfg *c, int *line)
{
	loom_tm_cfg_default(c);
	for (int pass = 0; pass < 3; pass++)
		for (int k = 0; k < t->n_tm; k++) {
			const struct topo_tm_setting *s = &t->tm[k];
			bool match = pass == 0 ? s->sw == -1
				   : pass == 1 ? s->sw == i && s->port == -1
					       : port >= 0 && s->sw == i && s->port == port;

			if (match) {
				loom_tm_cfg_set(c, s->key, s->value, NULL, 0);
				*line = s->line;
			}
		}
}

/* Every switch's settings (top-level, then its own) must make a whole, and
 * so must each port's over them; a port given must be one a link uses. */
int topo_check_tm(struct topo_loader *ld)
{
	const struct topology *t = ld->t;

	for (int i = 0; i < t->n_switches; i++) {
		struct loom_tm_cfg c;
		char msg[256];
		int line = 0;

		effective(t, i, -1, &c, &line);
		if (loom_tm_cfg_finalize(&c, msg, sizeof(msg)) < 0)
			return yaml_doc_error(&ld->yd, line, "tm of switch %s: %s", t->switches[i].name, msg);
	}
	for (int k = 0; k < t->n_tm; k++) {
		const struct topo_tm_setting *s = &t->tm[k];
		struct loom_tm_cfg c;
		char msg[256];
		int line = 0;

		if (s->port < 0)
			continue;
		if (!topo_switch_port_linked(t, s->sw, s->port))
			return yaml_doc_error(&ld->yd, s->line, "tm: ports: %s has no link on port %d",
					  t->switches[s->sw].name, s->port);
		effective(t, s->sw, s->port, &c, &line);
		if (loom_tm_cfg_finalize(&c, msg, sizeof(msg)) < 0)
			return yaml_doc_error(&ld->yd, line, "tm of %s port %d: %s", t->switches[s->sw].name, s->port,
					  msg);
	}
	return 0;
}
