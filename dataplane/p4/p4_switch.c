/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding of a P4 switch: the routed packets of a burst (those Loom's
 * ingress guard passed on) run through the switch's SWX pipeline; what it
 * transmits goes to the egress port's queueing (port_output_burst), what
 * it drops is counted under its reason on the ingress port.
 * Reads: the burst. Sets: headers (as the program writes them), counters.
 */
#include <stdio.h>

#include <rte_log.h>
#include <rte_malloc.h>

#include "p4_internal.h"
#include "p4_switch.h"
#include "stages.h"
#include "swx_lpm_table.h"
#include "swx_spec.h"

/* Instructions per rte_swx_pipeline_run() call, and the most a burst may
 * take: loom.spec runs ~60 per packet; a program that never reaches tx
 * must not hang the worker. */
#define P4_RUN_INSTR 256
#define P4_INSTR_PER_PKT_MAX 4096

static void p4_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
		       const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now)
{
	struct loom_p4 *x = sw->p4;
	uint32_t budget = (uint32_t)n * P4_INSTR_PER_PKT_MAX;

	(void)meta; /* the program parses for itself */
	(void)now;  /* the traffic manager reads it from sw->tm */
	x->in = in;
	x->rx_pkts = pkts;
	x->rx_n = n;
	x->rx_next = 0;
	x->n_done = 0;
	while (x->n_done < n && budget >= P4_RUN_INSTR) {
		rte_swx_pipeline_run(x->pipe, P4_RUN_INSTR);
		budget -= P4_RUN_INSTR;
	}
	if (unlikely(x->n_done < n) && !x->warned_stuck) {
		/* they stay in the pipeline: the switch's conservation check shows them */
		RTE_LOG(WARNING, USER1, "switch %s: %s kept %u packets of a burst (does every path reach tx?)\n",
			sw->name, x->spec, (unsigned int)(n - x->n_done));
		x->warned_stuck = true;
	}
	for (uint16_t j = 0; j < x->n_touched; j++) {
		uint16_t port = x->touched[j];

		port_output_burst(sw, &sw->ports[port], x->in->index, x->eg[port], x->eg_n[port]);
		x->eg_n[port] = 0;
	}
	x->n_touched = 0;
	x->rx_n = 0;
}

/* P4 as a switch mode (core/switch_mode.h): the program forwards; no
 * fast path (that is the native stages); its output goes through the same
 * egress, so cut-through serves it too. */
static const struct loom_switch_mode p4_mode = {
	.name = "p4",
	.forward = p4_forward,
	.cut_through = true,
	.steps_mark = loom_p4_steps_mark,
	.steps = loom_p4_steps,
};

int loom_p4_build(struct loom_switch *sw, const char *spec_path, struct loom_p4 **out, char *err, size_t errlen)
{
	struct loom_p4 *x;
	char perr[512];
	int rc;

	*out = NULL;
	if (sw->n_ports > LOOM_P4_SWITCH_PORTS) {
		snprintf(err, errlen, "a P4 switch has at most %d ports", LOOM_P4_SWITCH_PORTS);
		return -1;
	}
	x = rte_zmalloc("loom_p4", sizeof(*x), RTE_CACHE_LINE_SIZE);
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->sw = sw;
	snprintf(x->spec, sizeof(x->spec), "%s", spec_path);
	rc = rte_swx_pipeline_config(&x->pipe, NULL, SOCKET_ID_ANY);
	if (rc) {
		snprintf(err, errlen, "cannot create an SWX pipeline: %s", strerror(-rc));
		goto fail;
	}
	if (loom_p4_ports_config(x, err, errlen) < 0)
		goto fail;
	/* before the spec's tables: DPDK picks a table's type when it is configured */
	rc = loom_swx_lpm_table_register(x->pipe);
	if (rc) {
		snprintf(err, errlen, "cannot register the LPM table type: %s", strerror(-rc));
		goto fail;
	}
	if (swx_spec_configure(x->pipe, spec_path, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s", perr);
		goto fail;
	}
	rc = rte_swx_pipeline_build(x->pipe);
	if (rc) {
		snprintf(err, errlen, "%s: DPDK cannot build the pipeline: %s", spec_path, strerror(-rc));
		goto fail;
	}
	if (loom_p4_tables_fill(x, perr, sizeof(perr)) < 0 || loom_p4_steps_init(x, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", spec_path, perr);
		goto fail;
	}
	*out = x;
	return 0;
fail:
	loom_p4_free(x);
	return -1;
}

struct loom_p4 *loom_p4_install(struct loom_switch *sw, struct loom_p4 *x)
{
	struct loom_p4 *old = sw->p4;

	sw->p4 = x;
	sw->mode = x ? &p4_mode : &loom_native_mode;
	return old;
}

/* DPDK 22.11: after a commit, a table whose type is rebuilt whole at each
 * commit (no incremental add: SWX's wildcard table, Loom's LPM type, that
 * is every table with a non-exact match field) is the same object in the
 * pipeline's table state and in its control's next state, and
 * rte_swx_ctl_pipeline_free and rte_swx_pipeline_free both free it: every
 * P4 switch printed "EAL: Error: Invalid memory" at exit, once per such
 * table, after reading the freed table (seen in gdb: lpm_free called on the
 * same two tables by both). The control frees them; the pipeline's
 * references are dropped first. Exact-match tables and selectors are
 * updated in place in two copies, each freed once. */
static void drop_shared_tables(struct loom_p4 *x)
{
	struct rte_swx_ctl_pipeline_info info;
	struct rte_swx_table_state *ts;

	if (!x->committed || rte_swx_ctl_pipeline_info_get(x->pipe, &info) != 0 ||
	    rte_swx_pipeline_table_state_get(x->pipe, &ts) != 0 || !ts)
		return;
	for (uint32_t t = 0; t < info.n_tables; t++) {
		struct rte_swx_ctl_table_info ti;
		bool rebuilt = false;

		if (rte_swx_ctl_table_info_get(x->pipe, t, &ti) != 0)
			continue;
		for (uint32_t f = 0; f < ti.n_match_fields; f++) {
			struct rte_swx_ctl_table_match_field_info mf;

			if (rte_swx_ctl_table_match_field_info_get(x->pipe, t, f, &mf) == 0 &&
			    mf.match_type != RTE_SWX_TABLE_MATCH_EXACT)
				rebuilt = true;
		}
		if (rebuilt)
			ts[t].obj = NULL;
	}
}

void loom_p4_free(struct loom_p4 *x)
{
	if (!x)
		return;
	if (x->ctl && x->pipe)
		drop_shared_tables(x);
	if (x->ctl)
		rte_swx_ctl_pipeline_free(x->ctl);
	if (x->pipe)
		rte_swx_pipeline_free(x->pipe);
	rte_free(x->steps_mark);
	rte_free(x);
}

int loom_p4_attach(struct loom_switch *sw, const char *spec_path, char *err, size_t errlen)
{
	struct loom_p4 *x;

	if (loom_p4_build(sw, spec_path, &x, err, errlen) < 0)
		return -1;
	loom_p4_free(loom_p4_install(sw, x));
	return 0;
}

int loom_p4_register_write(struct loom_switch *sw, const char *name, uint32_t index, uint64_t value, char *err,
			   size_t errlen)
{
	int rc;

	if (!sw->p4) {
		snprintf(err, errlen, "not a P4 switch");
		return -1;
	}
	rc = rte_swx_ctl_pipeline_regarray_write(sw->p4->pipe, name, index, value);
	if (rc) {
		snprintf(err, errlen, "register %s[%u]: %s (no such register array, or index out of range)", name,
			 index, strerror(-rc));
		return -1;
	}
	return 0;
}

int loom_p4_registers_read(const struct loom_switch *sw, struct loom_p4_reg *out, int max)
{
	struct rte_swx_ctl_pipeline_info info;
	int n = 0;

	if (!sw->p4 || rte_swx_ctl_pipeline_info_get(sw->p4->pipe, &info) != 0)
		return 0;
	for (uint32_t id = 0; id < info.n_regarrays && n < max; id++) {
		struct rte_swx_ctl_regarray_info ri;

		if (rte_swx_ctl_regarray_info_get(sw->p4->pipe, id, &ri) != 0 ||
		    rte_swx_ctl_pipeline_regarray_read(sw->p4->pipe, ri.name, 0, &out[n].value) != 0)
			continue;
		snprintf(out[n].name, sizeof(out[n].name), "%s", ri.name);
		n++;
	}
	return n;
}

void loom_p4_detach(struct loom_switch *sw)
{
	loom_p4_free(loom_p4_install(sw, NULL));
}
