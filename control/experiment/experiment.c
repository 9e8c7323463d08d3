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
#include "topo/topo_internal.h"

enum { E_NAME, E_TOPOLOGY, E_DURATION, E_SAMPLE, E_MODES, E_WORKLOADS, E_LOADS, E_N };

/* `file` relative to the experiment file's folder; -1 when too long. */
static int resolve(const char *dir, const char *file, char *out)
{
	int n = file[0] == '/' ? snprintf(out, EXP_PATH_MAX, "%s", file)
			       : snprintf(out, EXP_PATH_MAX, "%s/%s", dir, file);

	return n < 0 || n >= EXP_PATH_MAX ? -1 : 0;
}

/* A sequence of at most EXP_MAX_AXIS scalars; calls each(i, node). */
static int get_list(struct topo_loader *ld, const struct topo_field *f, int *n, yaml_node_t **items)
{
	yaml_node_t *seq;

	if (topo_get_seq(ld, f, &seq) < 0)
		return -1;
	*n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (*n == 0)
		return topo_error(&ld->ctx, topo_line(f->v), "'%s' is empty", f->key);
	if (*n > EXP_MAX_AXIS)
		return topo_error(&ld->ctx, topo_line(f->v), "'%s': at most %d entries", f->key, EXP_MAX_AXIS);
	for (int i = 0; i < *n; i++)
		items[i] = yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
	return 0;
}

static int load_root(struct topo_loader *ld, yaml_node_t *root, const char *dir, struct experiment *e)
{
	struct topo_field f[E_N] = {{"experiment"}, {"topology"}, {"duration"}, {"sample_interval"},
				    {"modes"},      {"workloads"}, {"loads"}};
	yaml_node_t *items[EXP_MAX_AXIS];
	const char *s;
	char why[256], *end;

	if (topo_fields(ld, root, "the experiment file", f, E_N) < 0)
		return -1;
	if (topo_require(ld, root, "the experiment file", &f[E_NAME]) < 0 ||
	    topo_get_name(ld, &f[E_NAME], e->name) < 0)
		return -1;
	if (topo_require(ld, root, "the experiment file", &f[E_TOPOLOGY]) < 0 ||
	    topo_get_str(ld, &f[E_TOPOLOGY], &s) < 0)
		return -1;
	if (resolve(dir, s, e->topology) < 0)
		return topo_error(&ld->ctx, topo_line(f[E_TOPOLOGY].v), "path too long");
	if (f[E_DURATION].k && topo_get_delay(ld, &f[E_DURATION], &e->duration_ns) < 0)
		return -1;
	if (f[E_SAMPLE].k && topo_get_delay(ld, &f[E_SAMPLE], &e->sample_interval_ns) < 0)
		return -1;
	if (f[E_SAMPLE].k && e->sample_interval_ns == 0)
		return topo_error(&ld->ctx, topo_line(f[E_SAMPLE].v), "'sample_interval' must be > 0");
	if (f[E_MODES].k) {
		if (get_list(ld, &f[E_MODES], &e->n_modes, items) < 0)
			return -1;
		for (int i = 0; i < e->n_modes; i++) {
			struct topo_field m = {"modes", f[E_MODES].k, items[i]};

			if (topo_get_str(ld, &m, &s) < 0)
				return -1;
			if (lb_policy_check_name(s, why, sizeof(why)))
				return topo_error(&ld->ctx, topo_line(items[i]), "%s", why);
			snprintf(e->modes[i], TOPO_NAME_MAX, "%s", s);
		}
	}
	if (topo_require(ld, root, "the experiment file", &f[E_WORKLOADS]) < 0 ||
	    get_list(ld, &f[E_WORKLOADS], &e->n_workloads, items) < 0)
		return -1;
	for (int i = 0; i < e->n_workloads; i++) {
		struct topo_field w = {"workloads", f[E_WORKLOADS].k, items[i]};

		if (topo_get_str(ld, &w, &s) < 0)
			return -1;
		if (resolve(dir, s, e->workloads[i]) < 0)
			return topo_error(&ld->ctx, topo_line(items[i]), "path too long");
	}
	if (f[E_LOADS].k) {
		if (get_list(ld, &f[E_LOADS], &e->n_loads, items) < 0)
			return -1;
		for (int i = 0; i < e->n_loads; i++) {
			struct topo_field l = {"loads", f[E_LOADS].k, items[i]};

			if (topo_get_str(ld, &l, &s) < 0)
				return -1;
			errno = 0;
			e->loads[i] = strtod(s, &end);
			if (end == s || *end || errno || !(e->loads[i] > 0 && e->loads[i] <= 1))
				return topo_error(&ld->ctx, topo_line(items[i]), "a load is a number in (0, 1], not '%s'", s);
		}
	}
	return 0;
}

int experiment_load(const char *path, struct experiment *e, char *err, size_t errlen)
{
	struct topo_loader ld = {.ctx = {.file = path, .err = err, .errlen = errlen}};
	const char *slash = strrchr(path, '/');
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char dir[EXP_PATH_MAX];
	FILE *f;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (topo_yaml_open(path, &parser, &f, err, errlen) < 0)
		return -1;
	if (!yaml_parser_load(&parser, &doc)) {
		topo_error(&ld.ctx, (int)parser.problem_mark.line + 1, "YAML: %s",
			   parser.problem ? parser.problem : "syntax error");
		goto out;
	}
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		topo_error(&ld.ctx, 1, "empty file");
	else
		rc = load_root(&ld, root, dir, e);
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
