/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow option `cc:` (docs/WORKLOADS.md): a controller name, or a mapping
 * with `type:` and parameter overrides (loom/cc/cc_params.h):
 *
 *   cc: dcqcn
 *   cc: {type: dcqcn, rate_ai: 10M, g: 1/128, increase_timer: 55us}
 *   cc: {type: dctcp, g: 1/8, init_cwnd: 64K}
 *   cc: {type: nscc, base_rtt: path}   (each flow's own unloaded RTT)
 *
 * Flows carry their parameter set as a number (loom_flow_spec.cc_params)
 * into this process's table of distinct sets, so that flow lists stay
 * small and are copied as before; the compiler writes a flow's set into
 * loomd's configuration as "cc_params" (gen_hosts_config.c).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "topo/topo_yaml.h"
#include "yaml/yaml_doc.h"
#include "workload.h"

#define MAX_SETS 4096

static struct loom_cc_params sets[MAX_SETS]; /* [0] unused: 0 = the defaults */
static uint16_t n_sets = 1;

const struct loom_cc_params *workload_cc_params(uint16_t k)
{
	return k > 0 && k < n_sets ? &sets[k] : NULL;
}

/* The set's number (an existing one when equal), or 0 when the table is full. */
static uint16_t intern(const struct loom_cc_params *ps)
{
	for (uint16_t k = 1; k < n_sets; k++) {
		bool same = sets[k].set == ps->set;

		for (int p = 0; same && p < LOOM_CC_N_PARAMS; p++)
			same = !(ps->set & (1u << p)) || sets[k].v[p] == ps->v[p];
		if (same)
			return k;
	}
	if (n_sets == MAX_SETS)
		return 0;
	sets[n_sets] = *ps;
	return n_sets++;
}

/* "0.5", "1/256" -> v. 0 or -1. */
static int parse_fraction(const char *s, double *v)
{
	char *end;
	double num, den = 1;

	errno = 0;
	num = strtod(s, &end);
	if (end == s || errno)
		return -1;
	if (*end == '/') {
		const char *d = end + 1;

		den = strtod(d, &end);
		if (end == d || errno || den == 0)
			return -1;
	}
	if (*end)
		return -1;
	*v = num / den;
	return isfinite(*v) ? 0 : -1;
}

static const char *const kind_help[] = {
	[LOOM_CC_KIND_FRACTION_OPEN] = "a number in (0, 1], e.g. 0.0625 or 1/16",
	[LOOM_CC_KIND_FRACTION] = "a number in [0, 1], e.g. 1 or 1/2",
	[LOOM_CC_KIND_RATE] = "a rate > 0, e.g. 5M or 1G",
	[LOOM_CC_KIND_TIME] = "a time > 0, e.g. 55us",
	[LOOM_CC_KIND_BYTES] = "a whole number of bytes, e.g. 64K or 10MB",
	[LOOM_CC_KIND_COUNT] = "a whole number >= 0",
	[LOOM_CC_KIND_BOOL] = "true or false",
};

/* One parameter's value, by its kind. */
static int get_param(struct yaml_doc *yd, const struct yaml_doc_field *f, enum loom_cc_param p, double *v)
{
	const struct loom_cc_param_info *pi = &loom_cc_param_info[p];
	const char *s = NULL;
	uint64_t u;
	bool b;

	if (p == LOOM_CC_BASE_RTT && f->v->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)f->v->data.scalar.value, "path") == 0) {
		*v = LOOM_CC_BASE_RTT_PATH; /* per flow, over the topology (gen_hosts_config.c) */
		return 0;
	}
	switch (pi->kind) {
	case LOOM_CC_KIND_RATE:
		if (topo_get_rate(yd, f, &u) < 0)
			return -1;
		*v = (double)u;
		break;
	case LOOM_CC_KIND_TIME:
		if (topo_get_delay(yd, f, &u) < 0)
			return -1;
		*v = (double)u;
		break;
	case LOOM_CC_KIND_BOOL:
		if (yaml_doc_get_bool(yd, f, &b) < 0)
			return -1;
		*v = b;
		break;
	case LOOM_CC_KIND_BYTES:
		if (yaml_doc_get_str(yd, f, &s) < 0)
			return -1;
		if (strcmp(s, "0") == 0)
			u = 0;
		else if (loom_parse_bytes(s, &u) < 0)
			goto bad;
		*v = (double)u;
		break;
	default:
		if (yaml_doc_get_str(yd, f, &s) < 0)
			return -1;
		if (parse_fraction(s, v) < 0)
			goto bad;
		break;
	}
	if (loom_cc_param_valid(p, *v))
		return 0;
bad:
	return yaml_doc_error(yd, yaml_doc_line(f->v), "cc: bad %s '%s': %s", pi->name,
			  s ? s : (const char *)f->v->data.scalar.value, kind_help[pi->kind]);
}

/* The overrides as they would apply to the flow `tmpl` (its rate and
 * frame size when given; loomd checks again with the resolved ones). */
static const char *check_combined(const struct loom_flow_spec *tmpl, const struct loom_cc_params *ps)
{
	const char *why = NULL;

	if (tmpl->cc == LOOM_FLOW_CC_DCQCN) {
		struct loom_dcqcn_cfg c;

		loom_dcqcn_default(&c, tmpl->rate_bps ? tmpl->rate_bps : UINT64_MAX / 2);
		loom_cc_params_apply_dcqcn(ps, &c, &why);
	} else if (tmpl->cc == LOOM_FLOW_CC_DCTCP) {
		struct loom_dctcp_cfg c;

		/* a payload no larger than the frame: the window checks are in whole payloads */
		loom_dctcp_default(&c, tmpl->pkt_bytes ? tmpl->pkt_bytes : LOOM_FRAME_ETH_MIN);
		loom_cc_params_apply_dctcp(ps, &c, &why);
	} else if (tmpl->cc == LOOM_FLOW_CC_NSCC) {
		struct loom_nscc_cfg c;
		struct loom_cc_params resolved = *ps;

		if ((resolved.set & (1u << LOOM_CC_BASE_RTT)) && resolved.v[LOOM_CC_BASE_RTT] == LOOM_CC_BASE_RTT_PATH)
			resolved.set &= ~(1u << LOOM_CC_BASE_RTT); /* per flow later, a value then */
		loom_nscc_default(&c, tmpl->pkt_bytes ? tmpl->pkt_bytes : LOOM_FRAME_ETH_MIN,
				  tmpl->rate_bps ? tmpl->rate_bps : UINT64_MAX / 2);
		loom_cc_params_apply_nscc(&resolved, &c, &why);
	}
	return why;
}

static int load_cc_map(struct yaml_doc *yd, const struct yaml_doc_field *cc, struct loom_flow_spec *tmpl)
{
	struct yaml_doc_field f[1 + LOOM_CC_N_PARAMS] = {{"type"}};
	struct loom_cc_params ps = {0};
	const char *type, *why;

	for (int p = 0; p < LOOM_CC_N_PARAMS; p++)
		f[1 + p].key = loom_cc_param_info[p].name;
	if (yaml_doc_fields(yd, cc->v, "cc", f, 1 + LOOM_CC_N_PARAMS) < 0 || yaml_doc_require(yd, cc->v, "cc", &f[0]) < 0 ||
	    yaml_doc_get_str(yd, &f[0], &type) < 0)
		return -1;
	if (workload_parse_cc(type, &tmpl->cc) < 0)
		return yaml_doc_error(yd, yaml_doc_line(f[0].v), "bad cc type '%s' (none, dcqcn, dctcp or nscc)", type);
	for (int p = 0; p < LOOM_CC_N_PARAMS; p++) {
		double v = 0;

		if (!f[1 + p].k)
			continue;
		if (!(loom_cc_param_info[p].ccs & (1u << tmpl->cc)))
			return yaml_doc_error(yd, yaml_doc_line(f[1 + p].k), "cc: '%s' is not a parameter of %s%s",
					  f[1 + p].key, type,
					  loom_cc_param_info[p].ccs & (1u << LOOM_FLOW_CC_DCQCN)   ? " (dcqcn has it)"
					  : loom_cc_param_info[p].ccs & (1u << LOOM_FLOW_CC_DCTCP) ? " (dctcp has it)"
												   : " (nscc has it)");
		if (get_param(yd, &f[1 + p], p, &v) < 0)
			return -1;
		loom_cc_params_set(&ps, p, v);
	}
	why = check_combined(tmpl, &ps);
	if (why)
		return yaml_doc_error(yd, yaml_doc_line(cc->v), "cc: bad %s", why);
	tmpl->cc_params = ps.set ? intern(&ps) : 0;
	if (ps.set && !tmpl->cc_params)
		return yaml_doc_error(yd, yaml_doc_line(cc->v), "cc: more than %d distinct parameter sets", MAX_SETS - 1);
	return 0;
}

static const char *const cc_names[] = {
	[LOOM_FLOW_CC_NONE] = "none", [LOOM_FLOW_CC_DCQCN] = "dcqcn", [LOOM_FLOW_CC_DCTCP] = "dctcp",
	[LOOM_FLOW_CC_NSCC] = "nscc"};

int workload_parse_cc(const char *s, uint8_t *cc)
{
	for (uint8_t i = 0; i < sizeof(cc_names) / sizeof(cc_names[0]); i++)
		if (strcmp(s, cc_names[i]) == 0) {
			*cc = i;
			return 0;
		}
	return -1;
}

const char *workload_cc_name(uint8_t cc)
{
	return cc < sizeof(cc_names) / sizeof(cc_names[0]) ? cc_names[cc] : "?";
}

int workload_load_cc(struct yaml_doc *yd, const struct yaml_doc_field *f, struct loom_flow_spec *tmpl)
{
	const char *s;

	if (f->v->type == YAML_MAPPING_NODE)
		return load_cc_map(yd, f, tmpl);
	if (yaml_doc_get_str(yd, f, &s) < 0)
		return -1;
	if (workload_parse_cc(s, &tmpl->cc) < 0)
		return yaml_doc_error(yd, yaml_doc_line(f->v), "bad cc '%s' (none, dcqcn, dctcp or nscc, or a mapping "
				  "with type: and parameters)", s);
	tmpl->cc_params = 0;
	return 0;
}

void workload_write_cc(FILE *out, const struct loom_flow_spec *s)
{
	const struct loom_cc_params *ps = workload_cc_params(s->cc_params);

	if (!ps) {
		fputs(workload_cc_name(s->cc), out);
		return;
	}
	fprintf(out, "{type: %s", workload_cc_name(s->cc));
	for (int p = 0; p < LOOM_CC_N_PARAMS; p++) {
		if (!(ps->set & (1u << p)))
			continue;
		switch (loom_cc_param_info[p].kind) {
		case LOOM_CC_KIND_TIME:
			if (p == LOOM_CC_BASE_RTT && ps->v[p] == LOOM_CC_BASE_RTT_PATH)
				fprintf(out, ", %s: path", loom_cc_param_info[p].name);
			else
				fprintf(out, ", %s: %.0fns", loom_cc_param_info[p].name, ps->v[p]);
			break;
		case LOOM_CC_KIND_BOOL:
			fprintf(out, ", %s: %s", loom_cc_param_info[p].name, ps->v[p] ? "true" : "false");
			break;
		case LOOM_CC_KIND_FRACTION_OPEN:
		case LOOM_CC_KIND_FRACTION: fprintf(out, ", %s: %.17g", loom_cc_param_info[p].name, ps->v[p]); break;
		default: fprintf(out, ", %s: %.0f", loom_cc_param_info[p].name, ps->v[p]); break;
		}
	}
	fputc('}', out);
}
