/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The traffic manager settings of a topology: top-level `time_scale:` and
 * `tm:` (every switch), and `tm:` inside a switch (that switch, over the
 * top-level ones). A `tm:` mapping is flattened to dotted keys
 * ({ecn: {k: 30KB}} is ecn.k; a sequence is a comma list) and every key is
 * checked here with loom/tm_config.h's setter, so that a bad one is
 * reported with its file and line; the compiler then passes them to loomd
 * as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/tm_config.h"
#include "topo_internal.h"

static int add_setting(struct topo_loader *ld, int sw, const char *key, const char *value, int line)
{
	struct topology *t = ld->t;
	struct topo_tm_setting *s;
	struct loom_tm_cfg scratch;
	char msg[256];

	loom_tm_cfg_default(&scratch);
	if (loom_tm_cfg_set(&scratch, key, value, msg, sizeof(msg)) < 0)
		return topo_error(&ld->ctx, line, "tm: %s", msg);
	if (strlen(key) >= sizeof(s->key) || strlen(value) >= sizeof(s->value))
		return topo_error(&ld->ctx, line, "tm: %s: too long", key);
	s = realloc(t->tm, sizeof(*t->tm) * (size_t)(t->n_tm + 1));
	if (!s)
		return topo_error(&ld->ctx, line, "out of memory");
	t->tm = s;
	s = &t->tm[t->n_tm++];
	s->sw = sw;
	strcpy(s->key, key);
	strcpy(s->value, value);
	s->line = line;
	return 0;
}

static int flatten(struct topo_loader *ld, yaml_node_t *map, const char *prefix, int sw)
{
	if (map->type != YAML_MAPPING_NODE)
		return topo_error(&ld->ctx, topo_line(map), "tm%s%s must be a mapping", *prefix ? "." : "", prefix);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		char key[96], value[128];

		if (k->type != YAML_SCALAR_NODE)
			return topo_error(&ld->ctx, topo_line(k), "tm: keys must be scalars");
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", (const char *)k->data.scalar.value);
		if (v->type == YAML_MAPPING_NODE) {
			if (flatten(ld, v, key, sw) < 0)
				return -1;
			continue;
		}
		if (v->type == YAML_SEQUENCE_NODE) {
			size_t n = 0;

			value[0] = '\0';
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				yaml_node_t *e = yaml_document_get_node(ld->doc, *it);

				if (e->type != YAML_SCALAR_NODE)
					return topo_error(&ld->ctx, topo_line(e), "tm: %s: expected a list of scalars",
							  key);
				n += (size_t)snprintf(value + n, n < sizeof(value) ? sizeof(value) - n : 0, "%s%s",
						      n ? "," : "", (const char *)e->data.scalar.value);
			}
			if (n == 0)
				snprintf(value, sizeof(value), "none");
		} else {
			snprintf(value, sizeof(value), "%s", (const char *)v->data.scalar.value);
		}
		if (add_setting(ld, sw, key, value, topo_line(v)) < 0)
			return -1;
	}
	return 0;
}

int topo_load_tm(struct topo_loader *ld, const struct topo_field *f, int sw)
{
	return flatten(ld, f->v, "", sw);
}

int topo_load_time_scale(struct topo_loader *ld, const struct topo_field *f)
{
	const char *s;
	char *end;
	double v;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > 1e9)
		return topo_error(&ld->ctx, topo_line(f->v), "time_scale: '%s' must be a number > 0 (e.g. 100: links "
				  "run 100 times slower than their rate)", s);
	ld->t->time_scale = v;
	return 0;
}

/* Every switch's settings (top-level, then its own) must make a whole. */
int topo_check_tm(struct topo_loader *ld)
{
	const struct topology *t = ld->t;

	for (int i = 0; i < t->n_switches; i++) {
		struct loom_tm_cfg c;
		char msg[256];
		int line = 0;

		loom_tm_cfg_default(&c);
		for (int pass = 0; pass < 2; pass++)
			for (int k = 0; k < t->n_tm; k++)
				if (t->tm[k].sw == (pass ? i : -1)) {
					loom_tm_cfg_set(&c, t->tm[k].key, t->tm[k].value, NULL, 0);
					line = t->tm[k].line;
				}
		if (loom_tm_cfg_finalize(&c, msg, sizeof(msg)) < 0)
			return topo_error(&ld->ctx, line, "tm of switch %s: %s", t->switches[i].name, msg);
	}
	return 0;
}
