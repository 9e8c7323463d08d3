/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traces and captures as people name them (see trace_spec.h): the switch
 * and port a request or the configuration names, checked; a trace built
 * from them; a trace as JSON. Both ways in use it: the control socket
 * (ctl/ctl_trace.c) and a virtual-time run's configuration
 * (config/config_observe.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/lb/lb_policy.h"
#include "trace_spec.h"

static const struct loom_switch *switch_named(const struct loom_fabric *f, const char *name)
{
	for (uint16_t s = 0; name && s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, name) == 0)
			return &f->switches[s];
	return NULL;
}

/* Traces name a switch by its id (the topology's numbering, core/switch.h),
 * which is its index in the fabric only when this loomd runs all of it: a
 * loomd started with --only holds some switches, at other indices (reading
 * f->switches[id] there crashed the control thread on trace_show). */
static const struct loom_switch *switch_with_id(const struct loom_fabric *f, uint16_t id)
{
	if (id < f->n_switches && f->switches[id].id == id)
		return &f->switches[id];
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (f->switches[s].id == id)
			return &f->switches[s];
	return NULL;
}

const char *loom_trace_switch_name(const struct loom_fabric *f, uint16_t id)
{
	const struct loom_switch *sw = switch_with_id(f, id);

	return sw ? sw->name : "?";
}

/* A name the client sent, quoted in a message at most 40 bytes long. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(buf, len, "%.*s%s", (int)n, s, strlen(s) > n ? "..." : "");
	return buf;
}

int loom_observe_port_of(const struct loom_fabric *f, const char *name, int64_t port, bool port_required,
			  const struct loom_switch **sw, char *err, size_t errlen)
{
	char q[64];

	if (!name) {
		snprintf(err, errlen, "needs \"switch\"");
		return -1;
	}
	*sw = switch_named(f, name);
	if (!*sw) {
		snprintf(err, errlen, "no switch '%s' in this loomd", quoted(name, q, sizeof(q)));
		return -1;
	}
	if (port < 0 && !port_required)
		return 0;
	/* links are by index in this loomd's fabric, not by topology id (--only) */
	if (port < 0 || port >= (*sw)->n_ports || f->links[*sw - f->switches][port].kind == LOOM_LINK_NONE) {
		snprintf(err, errlen, "switch %s has no port %lld (ports 0..%u with a link)", (*sw)->name,
			 (long long)port, (*sw)->n_ports - 1);
		return -1;
	}
	return 0;
}

void loom_capture_link_name(const struct loom_switch *sw, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u-%s", sw->name, port, sw->ports[port].name);
}

struct loom_trace *loom_trace_new(const struct loom_fabric *f, const char *name, int64_t port, int64_t count,
				  const char *match, char *err, size_t errlen)
{
	const struct loom_switch *sw;
	struct loom_trace *t;

	if (loom_observe_port_of(f, name, port, false, &sw, err, errlen) < 0)
		return NULL;
	if (count < 1 || count > LOOM_TRACE_PACKETS_MAX) {
		snprintf(err, errlen, "count %lld: a trace holds 1 to %d packets", (long long)count,
			 LOOM_TRACE_PACKETS_MAX);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (loom_filter_compile(match, &t->filter, err, errlen) < 0) {
		free(t);
		return NULL;
	}
	t->sw = sw->id;
	t->port = (int32_t)port;
	t->count = (uint32_t)count;
	t->on = true;
	return t;
}

static const char *l3_name(uint8_t k)
{
	return k == LOOM_L3_IPV4 ? "ipv4" : k == LOOM_L3_IPV6 ? "ipv6" : k == LOOM_L3_ARP ? "arp" : k == LOOM_L3_PFC ? "pfc" : "other";
}

static json_t *event_json(const struct loom_fabric *f, const struct loom_trace_event *e)
{
	const struct loom_switch *sw = switch_with_id(f, e->sw);
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:s}", "t_ns", (json_int_t)e->t, "stage",
			      loom_trace_kind_name(e->kind), "switch", sw ? sw->name : "?", "port", e->port, "port_name",
			      sw && e->port < sw->n_ports ? sw->ports[e->port].name : "?");

	switch (e->kind) {
	case LOOM_TR_RX:
		json_object_update_new(o, json_pack("{s:i, s:s, s:i, s:i, s:i}", "len", e->u.rx.len, "l3",
						    l3_name(e->u.rx.l3_kind), "proto", e->u.rx.l4_proto, "ttl",
						    e->u.rx.ttl, "ecn", e->u.rx.ecn));
		break;
	case LOOM_TR_ROUTE:
		if (e->u.route.group == UINT32_MAX)
			json_object_set_new(o, "group", json_null());
		else
			json_object_update_new(o, json_pack("{s:I, s:i}", "group", (json_int_t)e->u.route.group,
							    "members", e->u.route.n_members));
		if (e->u.route.ttl_out) /* 0: it expired here (the drop follows) */
			json_object_set_new(o, "ttl_out", json_integer(e->u.route.ttl_out));
		break;
	case LOOM_TR_LB: {
		json_t *q = json_array();
		const struct lb_policy *pol = lb_policy_at(e->u.lb.policy);

		for (uint16_t i = 0; i < e->u.lb.n_members && i < LOOM_TRACE_LB_MEMBERS; i++)
			json_array_append_new(q, json_integer(e->u.lb.queued_bytes[i]));
		json_object_update_new(
			o, json_pack("{s:s, s:I, s:i, s:i, s:i, s:s, s:o}", "policy",
				     e->u.lb.n_members <= 1 ? "single" : pol ? pol->name : "?", "hash",
				     (json_int_t)e->u.lb.hash, "member", e->u.lb.member, "members", e->u.lb.n_members,
				     "next_port", e->u.lb.nh_port, "next_port_name",
				     sw && e->u.lb.nh_port < sw->n_ports ? sw->ports[e->u.lb.nh_port].name : "?",
				     "member_queued_bytes", q));
		if (e->u.lb.n_explain) {
			json_t *x = json_object();

			for (int i = 0; i < e->u.lb.n_explain; i++)
				json_object_set_new(x, e->u.lb.explain_name[i], json_integer(e->u.lb.explain_value[i]));
			json_object_set_new(o, "policy_inputs", x);
		}
		break;
	}
	case LOOM_TR_ENQUEUE:
		json_object_update_new(o, json_pack("{s:b, s:I, s:I, s:b, s:b, s:b}", "admitted", e->u.enq.admitted,
						    "depth_packets", (json_int_t)e->u.enq.depth_pkts, "depth_bytes",
						    (json_int_t)e->u.enq.depth_bytes, "ecn_marked", e->u.enq.ecn_marked,
						    "pfc_paused", e->u.enq.pfc_paused, "pfc_xoff_sent", e->u.enq.pfc_xoff));
		json_object_set_new(o, "class", e->u.enq.cls < 0 ? json_string("fifo") : json_integer(e->u.enq.cls));
		break;
	case LOOM_TR_DROP:
		json_object_set_new(o, "reason", json_string(loom_drop_reason_name(e->reason)));
		break;
	case LOOM_TR_VOQ:
		json_object_update_new(o, json_pack("{s:s, s:i, s:i, s:I}", "to_leaf",
						    e->u.voq.leaf < f->n_switches ? f->switches[e->u.voq.leaf].name : "?",
						    "to_port", e->u.voq.dst_port, "class", e->u.voq.cls, "voq_depth_bytes",
						    (json_int_t)e->u.voq.depth_bytes));
		break;
	case LOOM_TR_CELLS: {
		json_t *up = json_array();

		for (uint16_t i = 0; i < e->u.cells.n_cells && i < LOOM_TRACE_LB_MEMBERS; i++)
			json_array_append_new(up, json_integer(e->u.cells.uplinks[i]));
		json_object_update_new(o, json_pack("{s:i, s:I, s:o}", "cells", e->u.cells.n_cells, "first_seq",
						    (json_int_t)e->u.cells.first_seq, "uplinks", up));
		break;
	}
	case LOOM_TR_CELL_RX:
		json_object_set_new(o, "seq", json_integer(e->u.cell.seq));
		break;
	case LOOM_TR_TABLE:
		json_object_update_new(o, json_pack("{s:s, s:b, s:s}", "table", e->u.step.table, "hit", e->u.step.hit,
						    "action", e->u.step.action));
		break;
	default:
		break;
	}
	return o;
}

/* How the packet's trace ends, from its last event. */
static const char *packet_end(const struct loom_fabric *f, const struct loom_trace_packet *p)
{
	const struct loom_trace_event *e;
	const struct loom_switch *sw;

	if (p->n_events == 0)
		return "in_flight";
	e = &p->ev[p->n_events - 1];
	switch (e->kind) {
	case LOOM_TR_DROP:
		return "dropped";
	case LOOM_TR_ANSWERED:
		return "answered";
	case LOOM_TR_TX:
		sw = switch_with_id(f, e->sw);
		return sw && e->port < sw->n_ports && sw->ports[e->port].host_facing ? "delivered" : "left";
	default:
		return "in_flight";
	}
}

json_t *loom_trace_json(const struct loom_fabric *f, const struct loom_trace *t)
{
	json_t *pkts = json_array();

	for (uint32_t i = 0; i < t->n_packets; i++) {
		const struct loom_trace_packet *p = &t->pkts[i];
		const struct loom_flow_key *k = &p->first.key;
		char src[INET6_ADDRSTRLEN] = "", dst[INET6_ADDRSTRLEN] = "";
		json_t *ev = json_array();
		int af = k->family == LOOM_FLOW_IPV6 ? AF_INET6 : AF_INET;

		if (p->first.l3_kind == LOOM_L3_IPV4 || p->first.l3_kind == LOOM_L3_IPV6) {
			inet_ntop(af, k->src, src, sizeof(src));
			inet_ntop(af, k->dst, dst, sizeof(dst));
		}
		for (uint16_t j = 0; j < p->n_events; j++)
			json_array_append_new(ev, event_json(f, &p->ev[j]));
		json_array_append_new(pkts, json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:i, s:o}", "id", p->id,
						      "l3", l3_name(p->first.l3_kind), "src", src, "dst", dst, "proto",
						      k->proto, "sport", k->sport, "dport", k->dport, "end",
						      packet_end(f, p), "events_lost", p->events_lost, "events", ev));
	}
	return json_pack("{s:s, s:i, s:I, s:I, s:s, s:b, s:o}", "switch", loom_trace_switch_name(f, t->sw), "port", t->port,
			 "count", (json_int_t)t->count, "traced", (json_int_t)t->n_packets, "match", t->filter.text,
			 "on", t->on, "packets", pkts);
}
