/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `load_balancing:` in the topology (docs/TOPOLOGY.md), at the top level
 * (every switch) and in a switch's `options:` (that switch; the keys it
 * gives override the top level's):
 *   load_balancing: spray
 *   load_balancing: { mode: flowlet, flowlet_table: 512, idle_time: 256us,
 *                     (or idle_time: rtt, rtt/2 ...: the fabric's base
 *                     round trip over N, topo_base_rtt_ns)
 *                     placement: queue (or band: the sampled load
 *                     band only, SAI ARS's quality bands),
 *                     sample_interval: 16us, window: 100ms,
 *                     dre_period: 8us, conga_slack: 1 (conga, conga_packet:
 *                     docs/CONGA.md),
 *                     hash_flow_label: true }
 * and, in a switch's options only, modes of single groups by the prefix of
 * a route that uses them:
 *   load_balancing: { mode: ecmp, groups: { 10.0.1.0/24: spray } }
 * The mode must be a registered policy (scheduler/include/loom/lb/lb_policies.def);
 * `cell` is reserved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "loom/lb/lb_policy.h"
#include "loom/sim/link.h"
#include "topo_internal.h"

static int get_mode(struct topo_loader *ld, const struct yaml_doc_field *f, char mode[TOPO_NAME_MAX])
{
	const char *s;
	char why[256];

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (lb_policy_check_name(s, why, sizeof(why)))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "%s", why);
	snprintf(mode, TOPO_NAME_MAX, "%s", s);
	return 0;
}

/* groups: { PREFIX: MODE, ... } */
static int get_groups(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_lb *lb)
{
	yaml_node_pair_t *pair;

	if (f->v->type != YAML_MAPPING_NODE)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "'groups' must map route prefixes to modes");
	for (pair = f->v->data.mapping.pairs.start; pair < f->v->data.mapping.pairs.top; pair++) {
		struct yaml_doc_field k = { "groups", NULL, yaml_document_get_node(ld->yd.doc, pair->key) };
		struct yaml_doc_field v = { "groups", k.v, yaml_document_get_node(ld->yd.doc, pair->value) };
		struct topo_lb_group *g;

		if (lb->n_groups == TOPO_LB_MAX_GROUP_MODES)
			return yaml_doc_error(&ld->yd, yaml_doc_line(k.v), "at most %d group modes per switch",
					  TOPO_LB_MAX_GROUP_MODES);
		g = &lb->groups[lb->n_groups];
		g->line = yaml_doc_line(k.v);
		if (topo_get_prefix(&ld->yd, &k, &g->prefix) < 0 || get_mode(ld, &v, g->mode) < 0)
			return -1;
		for (int i = 0; i < lb->n_groups; i++)
			if (memcmp(&lb->groups[i].prefix, &g->prefix, sizeof(g->prefix)) == 0)
				return yaml_doc_error(&ld->yd, g->line, "prefix given twice (first at line %d)",
						  lb->groups[i].line);
		lb->n_groups++;
	}
	return 0;
}

/* idle_time: a delay, or `rtt` / `rtt/N` (N 1 .. 64): a gap that scales
 * with the fabric, resolved at compile time (topo_lb_idle_time_ns). */
static int get_idle_time(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_lb *lb)
{
	const char *s = f->v->type == YAML_SCALAR_NODE ? (const char *)f->v->data.scalar.value : NULL;
	char *end;
	unsigned long n = 1;

	if (!s || strncmp(s, "rtt", 3) != 0)
		return topo_get_delay(&ld->yd, f, &lb->idle_time_ns);
	if (s[3] == '/') {
		if (s[4] < '1' || s[4] > '9')
			n = 0;
		else
			n = strtoul(s + 4, &end, 10);
		if (n == 0 || n > 64 || *end != '\0')
			return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
					  "idle_time: '%.20s' is not rtt/N with N 1 .. 64", s);
	} else if (s[3] != '\0') {
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "idle_time: '%.20s' is not a delay, rtt or rtt/N", s);
	}
	lb->idle_rtt_div = (uint8_t)n;
	return 0;
}

/* placement: where a new flowlet goes (lb_policy.h, docs/POLICIES.md). */
static int get_placement(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_lb *lb)
{
	const char *s;
	int id;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	id = lb_flowlet_placement_id(s);
	if (id < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "placement: '%.20s' is not queue (least queued, the default) or band (lowest load band)", s);
	lb->placement = (uint8_t)(id + 1);
	return 0;
}

int topo_load_lb(struct topo_loader *ld, const struct yaml_doc_field *top, struct topo_lb *lb, bool allow_groups)
{
	enum { L_MODE, L_TABLE, L_IDLE, L_SAMPLE, L_WINDOW, L_GROUPS, L_FLOW_LABEL, L_PLACEMENT, L_DRE, L_SLACK, L_N };
	struct yaml_doc_field f[L_N] = { { "mode" }, { "flowlet_table" }, { "idle_time" }, { "sample_interval" },
				     { "window" }, { "groups" }, { "hash_flow_label" }, { "placement" },
				     { "dre_period" }, { "conga_slack" } };
	unsigned long v;
	bool b;

	memset(lb, 0, sizeof(*lb));
	lb->line = yaml_doc_line(top->v);
	if (top->v->type == YAML_SCALAR_NODE) {
		struct yaml_doc_field m = { "load_balancing", top->k, top->v };
		return get_mode(ld, &m, lb->mode);
	}
	if (yaml_doc_fields(&ld->yd, top->v, "load_balancing", f, L_N) < 0)
		return -1;
	if (f[L_MODE].v && get_mode(ld, &f[L_MODE], lb->mode) < 0)
		return -1;
	if (f[L_GROUPS].v && !allow_groups)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_GROUPS].k),
				  "'groups' (modes per route prefix) goes in a switch's options.load_balancing");
	if (f[L_GROUPS].v && get_groups(ld, &f[L_GROUPS], lb) < 0)
		return -1;
	if (f[L_TABLE].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[L_TABLE], 1, 1ul << 20, &v) < 0)
			return -1;
		if (v & (v - 1))
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_TABLE].v),
					  "flowlet_table must be a power of two (SAI's default: 512)");
		lb->flowlet_table = (uint32_t)v;
	}
	if (f[L_IDLE].v && get_idle_time(ld, &f[L_IDLE], lb) < 0)
		return -1;
	if (f[L_PLACEMENT].v && get_placement(ld, &f[L_PLACEMENT], lb) < 0)
		return -1;
	if (f[L_SAMPLE].v && topo_get_delay(&ld->yd, &f[L_SAMPLE], &lb->sample_interval_ns) < 0)
		return -1;
	if (f[L_WINDOW].v && topo_get_delay(&ld->yd, &f[L_WINDOW], &lb->window_ns) < 0)
		return -1;
	if (f[L_FLOW_LABEL].v) {
		if (yaml_doc_get_bool(&ld->yd, &f[L_FLOW_LABEL], &b) < 0)
			return -1;
		lb->hash_flow_label = b ? TOPO_FLOW_LABEL_ON : TOPO_FLOW_LABEL_OFF;
	}
	if (f[L_DRE].v && topo_get_delay(&ld->yd, &f[L_DRE], &lb->dre_period_ns) < 0)
		return -1;
	if (f[L_DRE].v && (lb->dre_period_ns < 100 || lb->dre_period_ns > 1000000000ull))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_DRE].v), "dre_period must be 100ns .. 1s");
	if (f[L_SLACK].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[L_SLACK], 0, 7, &v) < 0)
			return -1;
		lb->conga_slack = (uint8_t)(v + 1);
	}
	if (f[L_IDLE].v && lb->idle_time_ns == 0 && lb->idle_rtt_div == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_IDLE].v), "idle_time must be > 0");
	if (f[L_SAMPLE].v && lb->sample_interval_ns < 1000)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_SAMPLE].v), "sample_interval must be >= 1us");
	if (f[L_WINDOW].v && lb->window_ns == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[L_WINDOW].v), "window must be > 0");
	return 0;
}

void topo_lb_effective(const struct topology *t, const struct topo_switch *sw, struct topo_lb *out)
{
	const struct topo_lb *s = &sw->lb;

	*out = t->lb;
	if (s->mode[0])
		memcpy(out->mode, s->mode, sizeof(out->mode));
	if (s->flowlet_table)
		out->flowlet_table = s->flowlet_table;
	if (s->idle_time_ns || s->idle_rtt_div) {
		out->idle_time_ns = s->idle_time_ns;
		out->idle_rtt_div = s->idle_rtt_div;
	}
	if (s->placement)
		out->placement = s->placement;
	if (s->sample_interval_ns)
		out->sample_interval_ns = s->sample_interval_ns;
	if (s->window_ns)
		out->window_ns = s->window_ns;
	if (s->hash_flow_label)
		out->hash_flow_label = s->hash_flow_label;
	if (s->dre_period_ns)
		out->dre_period_ns = s->dre_period_ns;
	if (s->conga_slack)
		out->conga_slack = s->conga_slack;
	out->n_groups = s->n_groups;
	memcpy(out->groups, s->groups, sizeof(out->groups));
}

bool topo_lb_given(const struct topo_lb *lb)
{
	return lb->mode[0] || lb->flowlet_table || lb->idle_time_ns || lb->idle_rtt_div || lb->placement || lb->sample_interval_ns || lb->window_ns ||
	       lb->n_groups || lb->hash_flow_label || lb->dre_period_ns || lb->conga_slack;
}

void topo_write_lb(FILE *out, const struct topo_lb *lb, const char *indent)
{
	char buf[32];

	fprintf(out, "%sload_balancing:\n", indent);
	if (lb->mode[0])
		fprintf(out, "%s  mode: %s\n", indent, lb->mode);
	if (lb->flowlet_table)
		fprintf(out, "%s  flowlet_table: %u\n", indent, lb->flowlet_table);
	if (lb->idle_rtt_div == 1)
		fprintf(out, "%s  idle_time: rtt\n", indent);
	else if (lb->idle_rtt_div)
		fprintf(out, "%s  idle_time: rtt/%u\n", indent, lb->idle_rtt_div);
	else if (lb->idle_time_ns) {
		topo_format_delay(lb->idle_time_ns, buf, sizeof(buf));
		fprintf(out, "%s  idle_time: %s\n", indent, buf);
	}
	if (lb->placement)
		fprintf(out, "%s  placement: %s\n", indent, lb_flowlet_placement_name(lb->placement - 1u));
	if (lb->sample_interval_ns) {
		topo_format_delay(lb->sample_interval_ns, buf, sizeof(buf));
		fprintf(out, "%s  sample_interval: %s\n", indent, buf);
	}
	if (lb->window_ns) {
		topo_format_delay(lb->window_ns, buf, sizeof(buf));
		fprintf(out, "%s  window: %s\n", indent, buf);
	}
	if (lb->hash_flow_label)
		fprintf(out, "%s  hash_flow_label: %s\n", indent,
			lb->hash_flow_label == TOPO_FLOW_LABEL_ON ? "true" : "false");
	if (lb->dre_period_ns) {
		topo_format_delay(lb->dre_period_ns, buf, sizeof(buf));
		fprintf(out, "%s  dre_period: %s\n", indent, buf);
	}
	if (lb->conga_slack)
		fprintf(out, "%s  conga_slack: %u\n", indent, lb->conga_slack - 1u);
	if (lb->n_groups)
		fprintf(out, "%s  groups:\n", indent);
	for (int i = 0; i < lb->n_groups; i++) {
		char prefix[64];

		topo_format_prefix(&lb->groups[i].prefix, prefix, sizeof(prefix));
		fprintf(out, "%s    \"%s\": %s\n", indent, prefix, lb->groups[i].mode);
	}
}

uint64_t topo_base_rtt_ns(const struct topology *t)
{
	uint64_t delay = 0, rate = 0, mtu = 0, hops = 2 * (uint64_t)(t->n_tiers > 2 ? t->n_tiers : 2);

	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		delay = l->delay_ns > delay ? l->delay_ns : delay;
		rate = l->rate_bps && (rate == 0 || l->rate_bps < rate) ? l->rate_bps : rate;
		mtu = l->mtu > mtu ? l->mtu : mtu;
	}
	rate = rate ? rate : (t->default_rate_bps ? t->default_rate_bps : 10000000000ull);
	mtu = mtu ? mtu : (t->default_mtu ? t->default_mtu : 1500);
	return hops * (2 * delay + loom_link_serialization_ns(mtu + LOOM_FRAME_ETH_HDR, rate));
}

uint64_t topo_lb_idle_time_ns(const struct topology *t, const struct topo_lb *lb)
{
	uint64_t ns;

	if (!lb->idle_rtt_div)
		return lb->idle_time_ns;
	ns = topo_base_rtt_ns(t) / lb->idle_rtt_div;
	return ns ? ns : 1;
}
