/* SPDX-License-Identifier: BSD-3-Clause */
/* Cell fabric telemetry and link faults over the control socket (ctl_cell.h). */
#include <stdlib.h>
#include <string.h>

#include "ctl_cell.h"
#include "fault.h"

int ctl_cell_snapshot_alloc(const struct loom_switch *sw, struct ctl_cell_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (sw->cell == NULL)
		return 0;
	s->voqs = calloc(sw->cell->n_voq_slots ? sw->cell->n_voq_slots : 1, sizeof(*s->voqs));
	s->ports = calloc(sw->n_ports, sizeof(*s->ports));
	s->credit = calloc(sw->n_ports, sizeof(*s->credit));
	s->credits_issued = calloc(sw->n_ports, sizeof(*s->credits_issued));
	s->credits_skipped = calloc(sw->n_ports, sizeof(*s->credits_skipped));
	return s->voqs && s->ports && s->credit && s->credits_issued && s->credits_skipped ? 0 : -1;
}

void ctl_cell_snapshot_free(struct ctl_cell_snapshot *s)
{
	free(s->voqs);
	free(s->ports);
	free(s->credit);
	free(s->credits_issued);
	free(s->credits_skipped);
}

void ctl_cell_snapshot_take(const struct loom_switch *sw, struct ctl_cell_snapshot *s)
{
	const struct loom_cell_switch *cs = sw->cell;

	if (cs == NULL)
		return;
	s->on = true;
	s->c = cs->c;
	s->n_voqs = 0;
	s->reasm_contexts = 0;
	s->reasm_held = 0;
	memset(&s->reasm, 0, sizeof(s->reasm));
	for (uint32_t i = 0; i < cs->n_voq_slots; i++) {
		const struct cell_voq *q = cs->voq[i];
		const struct cell_reasm_ctx *rc = cs->reasm[i];

		if (q) {
			struct ctl_cell_voq *v = &s->voqs[s->n_voqs++];

			v->leaf = q->dst_leaf;
			v->port = q->dst_port;
			v->cls = q->cls;
			v->acct = q->acct;
			v->marked = q->cc.marked;
			v->trimmed = q->cc.trimmed;
		}
		if (rc) {
			const struct loom_reasm_stats *r = &rc->r.st;

			s->reasm_contexts++;
			s->reasm_held += rc->r.held;
			s->reasm.cells_in += r->cells_in;
			s->reasm.pkts_out += r->pkts_out;
			s->reasm.cells_out += r->cells_out;
			s->reasm.late += r->late;
			s->reasm.beyond_window += r->beyond_window;
			s->reasm.timeouts += r->timeouts;
			s->reasm.lost_cells += r->lost_cells;
			s->reasm.freed_cells += r->freed_cells;
			s->reasm.bad_packets += r->bad_packets;
			if (r->reorder_max > s->reasm.reorder_max)
				s->reasm.reorder_max = r->reorder_max;
		}
	}
	for (uint16_t p = 0; p < sw->n_ports; p++) {
		const struct loom_credit_sched *cr = cs->ports[p].credit;

		s->ports[p] = cs->ports[p];
		memset(&s->credit[p], 0, sizeof(s->credit[p]));
		s->credits_issued[p] = 0;
		if (cr == NULL)
			continue;
		s->credits_issued[p] = cr->credits;
		s->credits_skipped[p] = cr->skipped;
		for (uint32_t v = 0; v < cr->max_voqs; v++) {
			s->credit[p].requested += cr->voq[v].requested;
			s->credit[p].granted += cr->voq[v].granted;
			s->credit[p].demand += cr->voq[v].demand;
		}
	}
	s->made = cs->c.cells_cut + cs->c.requests_tx + cs->c.credits_tx + cs->c.pkts_rebuilt;
	s->consumed = cs->c.pkts_cut + cs->c.cells_rebuilt + cs->c.requests_rx + cs->c.credits_rx;
	s->queued = cell_queued(sw);
}

static json_t *voqs_json(const struct loom_switch *sw, const struct ctl_cell_snapshot *s)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < s->n_voqs; i++) {
		const struct ctl_cell_voq *v = &s->voqs[i];
		const struct loom_switch *egress = &sw->cell->fab->fabric->switches[sw->cell->fab->leaf_switch[v->leaf]];

		json_array_append_new(
			a, json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "leaf",
				     egress->name, "port", v->port, "class", v->cls, "depth_bytes",
				     (json_int_t)v->acct.bytes, "depth_packets", (json_int_t)v->acct.pkts,
				     "depth_max_bytes", (json_int_t)v->acct.st.depth_max, "in_packets",
				     (json_int_t)v->acct.st.in_pkts, "out_packets", (json_int_t)v->acct.st.out_pkts,
				     "drops", (json_int_t)v->acct.st.drop_pkts, "credit_requested_bytes",
				     (json_int_t)v->acct.st.requested, "credit_granted_bytes",
				     (json_int_t)v->acct.st.granted, "credit_used_bytes", (json_int_t)v->acct.st.out_bytes,
				     "credit_balance_bytes", (json_int_t)v->acct.balance));
		json_t *o = json_array_get(a, json_array_size(a) - 1);
		json_object_set_new(o, "ecn_marked", json_integer((json_int_t)v->marked));
		json_object_set_new(o, "trimmed", json_integer((json_int_t)v->trimmed));
	}
	return a;
}

static json_t *ports_json(const struct loom_switch *sw, const struct ctl_cell_snapshot *s)
{
	json_t *a = json_array();

	for (uint16_t p = 0; p < sw->n_ports; p++) {
		const struct cell_port *cp = &s->ports[p];
		json_t *o;

		if (!cp->is_fabric_link && s->credits_issued[p] == 0 && cp->credit == NULL)
			continue;
		o = json_pack("{s:i, s:s}", "index", p, "name", sw->ports[p].name);
		if (cp->is_fabric_link) {
			json_object_set_new(o, "down", json_boolean(cp->down));
			json_object_set_new(o, "data_cells_tx", json_integer((json_int_t)cp->st.data_tx));
			json_object_set_new(o, "ctrl_cells_tx", json_integer((json_int_t)cp->st.ctrl_tx));
			json_object_set_new(o, "data_cells_rx", json_integer((json_int_t)cp->st.data_rx));
			json_object_set_new(o, "ctrl_cells_rx", json_integer((json_int_t)cp->st.ctrl_rx));
		}
		if (cp->credit) {
			json_object_set_new(o, "credits_issued", json_integer((json_int_t)s->credits_issued[p]));
			json_object_set_new(o, "credits_skipped", json_integer((json_int_t)s->credits_skipped[p]));
			json_object_set_new(o, "credit_requested_bytes", json_integer((json_int_t)s->credit[p].requested));
			json_object_set_new(o, "credit_granted_bytes", json_integer((json_int_t)s->credit[p].granted));
			json_object_set_new(o, "credit_demand_bytes", json_integer((json_int_t)s->credit[p].demand));
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *ctl_cell_switch_json(const struct loom_switch *sw, const struct ctl_cell_snapshot *s)
{
	const struct cell_counters *c = &s->c;
	json_t *o;

	if (!s->on)
		return NULL;
	o = json_pack("{s:s, s:I, s:I, s:I, s:o}", "role", loom_role_name(sw->role), "made",
		      (json_int_t)s->made, "consumed", (json_int_t)s->consumed, "queued", (json_int_t)s->queued, "ports",
		      ports_json(sw, s));
	if (sw->cell->leaf == CELL_NO_LEAF) {
		json_object_set_new(o, "cells_forwarded", json_integer((json_int_t)c->cells_forwarded));
		if (sw->cell->n_uplinks) /* a spine below super-spines */
			json_object_set_new(o, "cells_up", json_integer((json_int_t)c->cells_up));
		return o;
	}
	json_object_set_new(o, "voqs", voqs_json(sw, s));
	json_object_set_new(
		o, "counters",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			  "packets_to_voq",
			  (json_int_t)c->pkts_to_voq, "packets_cut", (json_int_t)c->pkts_cut, "cells_cut",
			  (json_int_t)c->cells_cut, "requests_tx", (json_int_t)c->requests_tx, "requests_rx",
			  (json_int_t)c->requests_rx, "credits_tx", (json_int_t)c->credits_tx, "credits_rx",
			  (json_int_t)c->credits_rx, "credit_requested_bytes", (json_int_t)c->request_bytes,
			  "credit_granted_bytes", (json_int_t)c->credit_bytes_granted, "credit_received_bytes",
			  (json_int_t)c->credit_bytes_rx, "request_refreshes", (json_int_t)c->request_refreshes,
			  "cells_rebuilt", (json_int_t)c->cells_rebuilt, "packets_rebuilt", (json_int_t)c->pkts_rebuilt,
			  "held_back", (json_int_t)c->held_back, "credit_unused_bytes", (json_int_t)c->credit_bytes_unused,
			  "local_packets", (json_int_t)c->local_pkts, "local_requests", (json_int_t)c->local_requests,
			  "local_credits", (json_int_t)c->local_credits));
	/* the VOQs in congestion control (cell_voq_cc.c) */
	json_t *cnt = json_object_get(o, "counters");
	json_object_set_new(cnt, "voq_ecn_marked", json_integer((json_int_t)c->voq_marked));
	json_object_set_new(cnt, "voq_trimmed", json_integer((json_int_t)c->voq_trimmed));
	json_object_set_new(cnt, "voq_dropped", json_integer((json_int_t)c->voq_dropped));
	json_object_set_new(
		o, "reassembly",
		json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "contexts", (int)s->reasm_contexts,
			  "held_cells", (json_int_t)s->reasm_held, "reorder_max", (json_int_t)s->reasm.reorder_max,
			  "packets_out", (json_int_t)s->reasm.pkts_out, "timeouts", (json_int_t)s->reasm.timeouts,
			  "lost_cells", (json_int_t)s->reasm.lost_cells, "freed_cells", (json_int_t)s->reasm.freed_cells,
			  "late_cells", (json_int_t)s->reasm.late, "beyond_window", (json_int_t)s->reasm.beyond_window,
			  "broken_packets", (json_int_t)s->reasm.bad_packets));
	return o;
}

struct link_call {
	struct loom_fabric *f;
	uint16_t sw, port;
	bool up;
	const struct loom_clock *clock;
	int rc;
};

static void link_on_worker(void *arg)
{
	struct link_call *c = arg;

	char err[160];

	/* the same fault as `link` (dataplane/fault/): detection, then the spray sets */
	c->rc = loom_fault_apply(c->f, c->sw, c->port, c->up ? LOOM_FAULT_UP : LOOM_FAULT_DOWN, 0,
				 loom_clock_now(c->clock), err, sizeof(err));
}

static json_t *cell_error(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

json_t *ctl_cmd_cell_link(struct loomd_state *st, json_t *req)
{
	struct loom_fabric *f = st->fabric;
	const char *name = json_string_value(json_object_get(req, "switch"));
	json_t *jp = json_object_get(req, "port"), *ju = json_object_get(req, "up");
	struct link_call c = {.f = f, .clock = st->clock};
	int s = -1;

	if (f->cell == NULL)
		return cell_error("cell_link: this fabric is not in cell mode");
	for (uint16_t i = 0; name && i < f->n_switches; i++)
		if (strcmp(f->switches[i].name, name) == 0)
			s = i;
	if (s < 0)
		return cell_error("cell_link needs \"switch\": the name of a switch of this loomd");
	if (!json_is_integer(jp) || json_integer_value(jp) < 0 || json_integer_value(jp) >= f->switches[s].n_ports)
		return cell_error("cell_link needs \"port\": a port number of that switch");
	if (!json_is_boolean(ju))
		return cell_error("cell_link needs \"up\": true or false");
	c.sw = (uint16_t)s;
	c.port = (uint16_t)json_integer_value(jp);
	c.up = json_is_true(ju);
	if (f->links[s][c.port].kind != LOOM_LINK_RING || !f->switches[s].cell->ports[c.port].is_fabric_link)
		return cell_error("cell_link: that port is not a fabric link (leaf-spine or spine-superspine)");
	loom_mailbox_call(st->mb, link_on_worker, &c);
	if (c.rc < 0)
		return cell_error("cell_link: that port is not a fabric link (leaf-spine or spine-superspine)");
	return json_pack("{s:b, s:{s:s, s:i, s:b}}", "ok", 1, "result", "switch", name, "port", (int)c.port, "up", c.up);
}
