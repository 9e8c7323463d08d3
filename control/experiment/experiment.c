/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Experiment file -> struct experiment, read with the topology loader's
 * typed getters so that problems read "FILE:LINE: problem" like the
 * topology's and the workload's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "loom/lb/lb_policy.h"
#include "topo/topo_yaml.h"
#include "yaml/yaml_doc.h"

enum { E_NAME, E_TOPOLOGY, E_DURATION, E_SAMPLE, E_MODES, E_WORKLOADS, E_LOADS, E_N };

/* `file` relative to the experiment file's folder; -1 when too long. */
static int resolve(const char *dir, const char *file, char *out)
{
	int n = file[0] == '/' ? snprintf(out, EXP_PATH_MAX, "%s", file)
			       : snprintf(out, EXP_PATH_MAX, "%s/%s", dir, file);

	return n < 0 || n >= EXP_PATH_MAX ? -1 : 0;
}

/* A sequence of at most EXP_MAX_AXIS scalars; calls each(i, node). */
static int get_list(struct yaml_doc *yd, const struct yaml_doc_field *f, int *n, yaml_node_t **items)
{
	yaml_node_t *seq;

	if (yaml_doc_get_seq(yd, f, &seq) < 0)
		return -1;
	*n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (*n == 0)
		return yaml_doc_error(yd, yaml_doc_line(f->v), "'%s' is empty", f->key);
	if (*n > EXP_MAX_AXIS)
		return yaml_doc_error(yd, yaml_doc_line(f->v), "'%s': at most %d entries", f->key, EXP_MAX_AXIS);
	for (int i = 0; i < *n; i++)
		items[i] = yaml_document_get_node(yd->doc, seq->data.sequence.items.start[i]);
	return 0;
}

static int load_root(struct yaml_doc *yd, yaml_node_t *root, const char *dir, struct experiment *e)
{
	struct yaml_doc_field f[E_N] = {{"experiment"}, {"topology"}, {"duration"}, {"sample_interval"},
				    {"modes"},      {"workloads"}, {"loads"}};
	yaml_node_t *items[EXP_MAX_AXIS];
	const char *s;
	char why[256], *end;

	if (yaml_doc_fields(yd, root, "the experiment file", f, E_N) < 0)
		return -1;
	if (yaml_doc_require(yd, root, "the experiment file", &f[E_NAME]) < 0 ||
	    topo_get_name(yd, &f[E_NAME], e->name) < 0)
		return -1;
	if (yaml_doc_require(yd, root, "the experiment file", &f[E_TOPOLOGY]) < 0 ||
	    yaml_doc_get_str(yd, &f[E_TOPOLOGY], &s) < 0)
		return -1;
	if (resolve(dir, s, e->topology) < 0)
		return yaml_doc_error(yd, yaml_doc_line(f[E_TOPOLOGY].v), "path too long");
	if (f[E_DURATION].k && topo_get_delay(yd, &f[E_DURATION], &e->duration_ns) < 0)
		return -1;
	if (f[E_SAMPLE].k && topo_get_delay(yd, &f[E_SAMPLE], &e->sample_interval_ns) < 0)
		return -1;
	if (f[E_SAMPLE].k && e->sample_interval_ns == 0)
		return yaml_doc_error(yd, yaml_doc_line(f[E_SAMPLE].v), "'sample_interval' must be > 0");
	if (f[E_MODES].k) {
		if (get_list(yd, &f[E_MODES], &e->n_modes, items) < 0)
			return -1;
		for (int i = 0; i < e->n_modes; i++) {
			struct yaml_doc_field m = {"modes", f[E_MODES].k, items[i]};

			if (yaml_doc_get_str(yd, &m, &s) < 0)
				return -1;
			if (lb_policy_check_name(s, why, sizeof(why)))
				return yaml_doc_error(yd, yaml_doc_line(items[i]), "%s", why);
			snprintf(e->modes[i], TOPO_NAME_MAX, "%s", s);
		}
	}
	if (yaml_doc_require(yd, root, "the experiment file", &f[E_WORKLOADS]) < 0 ||
	    get_list(yd, &f[E_WORKLOADS], &e->n_workloads, items) < 0)
		return -1;
	for (int i = 0; i < e->n_workloads; i++) {
		struct yaml_doc_field w = {"workloads", f[E_WORKLOADS].k, items[i]};

		if (yaml_doc_get_str(yd, &w, &s) < 0)
			return -1;
		if (resolve(dir, s, e->workloads[i]) < 0)
			return yaml_doc_error(yd, yaml_doc_line(items[i]), "path too long");
	}
	if (f[E_LOADS].k) {
		if (get_list(yd, &f[E_LOADS], &e->n_loads, items) < 0)
			return -1;
		for (int i = 0; i < e->n_loads; i++) {
			struct yaml_doc_field l = {"loads", f[E_LOADS].k, items[i]};

			if (yaml_doc_get_str(yd, &l, &s) < 0)
				return -1;
			errno = 0;
			e->loads[i] = strtod(s, &end);
			if (end == s || *end || errno || !(e->loads[i] > 0 && e->loads[i] <= 1))
				return yaml_doc_error(yd, yaml_doc_line(items[i]), "a load is a number in (0, 1], not '%s'", s);
		}
	}
	return 0;
}

int experiment_load(const char *path, struct experiment *e, char *err, size_t errlen)
{
	struct yaml_doc yd = {.file = path, .err = err, .errlen = errlen};
	const char *slash = strrchr(path, '/');
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char dir[EXP_PATH_MAX];
	FILE *f;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (yaml_doc_open(path, &parser, &f, err, errlen) < 0)
		return -1;
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_doc_error(&yd, (int)parser.problem_mark.line + 1, "YAML: %s",
			   parser.problem ? parser.problem : "syntax error");
		goto out;
	}
	yd.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		yaml_doc_error(&yd, 1, "empty file");
	else
		rc = load_root(&yd, root, dir, e);
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
