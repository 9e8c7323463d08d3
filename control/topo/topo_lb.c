/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `load_balancing:` in the topology (docs/TOPOLOGY.md), at the top level
 * (every switch) and in a switch's `options:` (that switch; the keys it
 * gives override the top level's):
 *   load_balancing: spray
 *   load_balancing: { mode: flowlet, flowlet_table: 512, idle_time: 256us,
 *                     sample_interval: 16us, window: 100ms }
 * The mode must be a registered policy (scheduler/include/loom/lb_policies.def);
 * `cell` is reserved.
 */
#include <stdio.h>
#include <string.h>

#include "loom/lb_policy.h"
#include "topo_internal.h"

static int get_mode(struct topo_loader *ld, const struct topo_field *f, struct topo_lb *lb)
{
	const char *s;
	char why[256];

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (lb_policy_check_name(s, why, sizeof(why)))
		return topo_error(&ld->ctx, topo_line(f->v), "%s", why);
	snprintf(lb->mode, sizeof(lb->mode), "%s", s);
	return 0;
}

int topo_load_lb(struct topo_loader *ld, const struct topo_field *top, struct topo_lb *lb)
{
	enum { L_MODE, L_TABLE, L_IDLE, L_SAMPLE, L_WINDOW, L_N };
	struct topo_field f[L_N] = { { "mode" }, { "flowlet_table" }, { "idle_time" }, { "sample_interval" },
				     { "window" } };
	unsigned long v;

	memset(lb, 0, sizeof(*lb));
	lb->line = topo_line(top->v);
	if (top->v->type == YAML_SCALAR_NODE) {
		struct topo_field m = { "load_balancing", top->k, top->v };
		return get_mode(ld, &m, lb);
	}
	if (topo_fields(ld, top->v, "load_balancing", f, L_N) < 0)
		return -1;
	if (f[L_MODE].v && get_mode(ld, &f[L_MODE], lb) < 0)
		return -1;
	if (f[L_TABLE].v) {
		if (topo_get_uint(ld, &f[L_TABLE], 1, 1ul << 20, &v) < 0)
			return -1;
		if (v & (v - 1))
			return topo_error(&ld->ctx, topo_line(f[L_TABLE].v),
					  "flowlet_table must be a power of two (SAI's default: 512)");
		lb->flowlet_table = (uint32_t)v;
	}
	if (f[L_IDLE].v && topo_get_delay(ld, &f[L_IDLE], &lb->idle_time_ns) < 0)
		return -1;
	if (f[L_SAMPLE].v && topo_get_delay(ld, &f[L_SAMPLE], &lb->sample_interval_ns) < 0)
		return -1;
	if (f[L_WINDOW].v && topo_get_delay(ld, &f[L_WINDOW], &lb->window_ns) < 0)
		return -1;
	if (f[L_IDLE].v && lb->idle_time_ns == 0)
		return topo_error(&ld->ctx, topo_line(f[L_IDLE].v), "idle_time must be > 0");
	if (f[L_SAMPLE].v && lb->sample_interval_ns < 1000)
		return topo_error(&ld->ctx, topo_line(f[L_SAMPLE].v), "sample_interval must be >= 1us");
	if (f[L_WINDOW].v && lb->window_ns == 0)
		return topo_error(&ld->ctx, topo_line(f[L_WINDOW].v), "window must be > 0");
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
	if (s->idle_time_ns)
		out->idle_time_ns = s->idle_time_ns;
	if (s->sample_interval_ns)
		out->sample_interval_ns = s->sample_interval_ns;
	if (s->window_ns)
		out->window_ns = s->window_ns;
}

bool topo_lb_given(const struct topo_lb *lb)
{
	return lb->mode[0] || lb->flowlet_table || lb->idle_time_ns || lb->sample_interval_ns || lb->window_ns;
}

void topo_write_lb(FILE *out, const struct topo_lb *lb, const char *indent)
{
	char buf[32];

	fprintf(out, "%sload_balancing:\n", indent);
	if (lb->mode[0])
		fprintf(out, "%s  mode: %s\n", indent, lb->mode);
	if (lb->flowlet_table)
		fprintf(out, "%s  flowlet_table: %u\n", indent, lb->flowlet_table);
	if (lb->idle_time_ns) {
		topo_format_delay(lb->idle_time_ns, buf, sizeof(buf));
		fprintf(out, "%s  idle_time: %s\n", indent, buf);
	}
	if (lb->sample_interval_ns) {
		topo_format_delay(lb->sample_interval_ns, buf, sizeof(buf));
		fprintf(out, "%s  sample_interval: %s\n", indent, buf);
	}
	if (lb->window_ns) {
		topo_format_delay(lb->window_ns, buf, sizeof(buf));
		fprintf(out, "%s  window: %s\n", indent, buf);
	}
}
