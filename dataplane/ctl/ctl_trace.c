/* SPDX-License-Identifier: BSD-3-Clause */
/* Traces and captures over the control socket (ctl_trace.h). A trace or
 * a capture is built here, on the control thread, and swapped in by the
 * worker between two bursts (the mailbox), as `lb_set` does; what the
 * worker stopped using is freed here afterwards. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "ctl_trace.h"
#include "loom/lb/lb_policy.h"

/* Captures nobody read for this long are stopped when another starts
 * (their reader died without saying so). */
#define CAPTURE_ABANDONED_NS (30ull * LOOM_NS_PER_S)
/* Frame bytes one capture_read returns at most (hex doubles it). */
#define CAPTURE_READ_BYTES (256u * 1024u)

static json_t *fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *fail(const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
	/* a name the client sent may not be UTF-8 */
	return r ? r : json_pack("{s:b, s:s}", "ok", 0, "error", "bad request (a name is not UTF-8)");
}

static json_t *ok(json_t *result)
{
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_object());
}

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

static const char *switch_name(const struct loom_fabric *f, uint16_t id)
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

/* The switch and port a request names: 0, or -1 with the message. */
static int port_of(const struct loom_fabric *f, const char *name, int64_t port, bool port_required,
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

void ctl_link_name(const struct loom_switch *sw, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u-%s", sw->name, port, sw->ports[port].name);
}

struct loom_trace *ctl_trace_new(const struct loom_fabric *f, const char *name, int64_t port, int64_t count,
				 const char *match, char *err, size_t errlen)
{
	const struct loom_switch *sw;
	struct loom_trace *t;

	if (port_of(f, name, port, false, &sw, err, errlen) < 0)
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

struct trace_swap {
	struct loom_observe *o;
	struct loom_trace *t; /* in: the new one (NULL: stop); out: the one replaced */
	bool stop;
};

static void trace_swap_on_worker(void *arg)
{
	struct trace_swap *c = arg;
	struct loom_trace *old = c->o->trace;

	if (c->stop) {
		if (old)
			old->on = false;
		c->t = NULL;
	} else {
		c->t->session = c->o->next_session++;
		c->o->trace = c->t;
		c->t = old;
	}
	loom_observe_apply(c->o);
}

json_t *ctl_cmd_trace_start(struct loomd_state *st, json_t *req)
{
	struct loom_observe *o = st->fabric->observe;
	json_t *jport = json_object_get(req, "port"), *jcount = json_object_get(req, "count");
	json_t *jmatch = json_object_get(req, "match");
	struct trace_swap c = {.o = o};
	char err[400];

	if (!o)
		return fail("trace: not available in this loomd");
	if ((jport && !json_is_integer(jport)) || (jcount && !json_is_integer(jcount)) ||
	    (jmatch && !json_is_string(jmatch)))
		return fail("trace_start: port and count are integers, match a string");
	c.t = ctl_trace_new(st->fabric, json_string_value(json_object_get(req, "switch")),
			    jport ? json_integer_value(jport) : -1, jcount ? json_integer_value(jcount) : 1,
			    jmatch ? json_string_value(jmatch) : "", err, sizeof(err));
	if (!c.t)
		return fail("trace_start: %s", err);
	loom_mailbox_call(st->mb, trace_swap_on_worker, &c);
	free(c.t); /* the trace it replaced: the worker no longer sees it */
	return ok(json_pack("{s:s, s:i, s:I, s:s}", "switch", switch_name(st->fabric, o->trace->sw), "port",
			    o->trace->port, "count", (json_int_t)o->trace->count, "match", o->trace->filter.text));
}

json_t *ctl_cmd_trace_stop(struct loomd_state *st, json_t *req)
{
	struct trace_swap c = {.o = st->fabric->observe, .stop = true};

	(void)req;
	if (!c.o || !c.o->trace)
		return fail("trace_stop: no trace was started");
	loom_mailbox_call(st->mb, trace_swap_on_worker, &c);
	return ok(json_pack("{s:I}", "packets", (json_int_t)c.o->trace->n_packets));
}

struct trace_copy {
	struct loom_observe *o;
	struct loom_trace *copy;
	bool have;
};

static void trace_copy_on_worker(void *arg)
{
	struct trace_copy *c = arg;
	const struct loom_trace *t = c->o->trace;

	if (!t)
		return;
	c->have = true;
	memcpy(c->copy, t, offsetof(struct loom_trace, pkts));
	memcpy(c->copy->pkts, t->pkts, t->n_packets * sizeof(t->pkts[0]));
}

json_t *ctl_cmd_trace_show(struct loomd_state *st, json_t *req)
{
	struct trace_copy c = {.o = st->fabric->observe};
	json_t *r;

	(void)req;
	if (!c.o)
		return fail("trace: not available in this loomd");
	c.copy = malloc(sizeof(*c.copy));
	if (!c.copy)
		return fail("out of memory");
	loom_mailbox_call(st->mb, trace_copy_on_worker, &c);
	r = c.have ? ok(ctl_trace_json(st->fabric, c.copy)) : fail("trace_show: no trace was started");
	free(c.copy);
	return r;
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

json_t *ctl_trace_json(const struct loom_fabric *f, const struct loom_trace *t)
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
	return json_pack("{s:s, s:i, s:I, s:I, s:s, s:b, s:o}", "switch", switch_name(f, t->sw), "port", t->port,
			 "count", (json_int_t)t->count, "traced", (json_int_t)t->n_packets, "match", t->filter.text,
			 "on", t->on, "packets", pkts);
}

/* --- captures --- */

struct capture_swap {
	struct loom_observe *o;
	struct loom_capture *install; /* copied into a free entry */
	int slot;                     /* out: the entry, -1: none free */
	uint32_t stop_id;             /* stop this one (0: none) */
	struct loom_capture stopped;  /* out: what it held, to free here */
	bool found;
};

static void capture_swap_on_worker(void *arg)
{
	struct capture_swap *c = arg;

	c->slot = -1;
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++) {
		struct loom_capture *cap = &c->o->cap[i];

		if (c->stop_id && cap->on && cap->id == c->stop_id) {
			c->stopped = *cap;
			memset(cap, 0, sizeof(*cap));
			c->found = true;
		}
	}
	for (int i = 0; c->install && i < LOOM_CAPTURES_MAX && c->slot < 0; i++) {
		if (!c->o->cap[i].on) {
			c->install->id = c->o->next_capture_id++;
			c->o->cap[i] = *c->install;
			c->slot = i;
		}
	}
	loom_observe_apply(c->o);
}

static void capture_free_rings(struct loom_capture *c)
{
	rte_ring_free(c->free_slots);
	rte_ring_free(c->full);
	free(c->slots);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * LOOM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LOOM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int stop_capture(struct loomd_state *st, uint32_t id)
{
	struct capture_swap c = {.o = st->fabric->observe, .stop_id = id};

	loom_mailbox_call(st->mb, capture_swap_on_worker, &c);
	if (!c.found)
		return -1;
	capture_free_rings(&c.stopped);
	return 0;
}

json_t *ctl_cmd_capture_start(struct loomd_state *st, json_t *req)
{
	struct loom_observe *o = st->fabric->observe;
	json_t *jport = json_object_get(req, "port"), *jcount = json_object_get(req, "count");
	json_t *jfilter = json_object_get(req, "filter"), *jdir = json_object_get(req, "dir");
	const char *dir = jdir ? json_string_value(jdir) : "both";
	const struct loom_switch *sw;
	struct loom_capture cap = {0};
	struct capture_swap c = {.o = o, .install = &cap};
	static uint32_t ring_seq;
	char err[400], name[RTE_RING_NAMESIZE], link[96];
	uint64_t now = mono_ns();

	if (!o)
		return fail("capture: not available in this loomd");
	if (!jport || !json_is_integer(jport) || (jcount && !json_is_integer(jcount)) ||
	    (jfilter && !json_is_string(jfilter)) || !dir)
		return fail("capture_start: needs switch and port (integer); count an integer, dir and filter strings");
	if (port_of(st->fabric, json_string_value(json_object_get(req, "switch")), json_integer_value(jport), true,
		    &sw, err, sizeof(err)) < 0)
		return fail("capture_start: %s", err);
	if (strcmp(dir, "rx") == 0)
		cap.dir = LOOM_CAP_RX;
	else if (strcmp(dir, "tx") == 0)
		cap.dir = LOOM_CAP_TX;
	else if (strcmp(dir, "both") == 0)
		cap.dir = LOOM_CAP_RX | LOOM_CAP_TX;
	else
		return fail("capture_start: dir is rx, tx or both");
	if (jcount && (json_integer_value(jcount) < 0 || json_integer_value(jcount) > (1ll << 40)))
		return fail("capture_start: count is 0 (until stopped) to 2^40 frames");
	if (loom_filter_compile(jfilter ? json_string_value(jfilter) : "", &cap.filter, err, sizeof(err)) < 0)
		return fail("capture_start: %s", err);
	/* readers that went away without stopping theirs */
	for (int i = 0; i < LOOM_CAPTURES_MAX; i++)
		if (o->cap[i].on && now - o->cap[i].last_read_ns > CAPTURE_ABANDONED_NS)
			stop_capture(st, o->cap[i].id);
	cap.on = true;
	cap.sw = sw->id;
	cap.port = (uint16_t)json_integer_value(jport);
	cap.filtered = cap.filter.node[cap.filter.root].op != LOOM_F_TRUE;
	cap.count = jcount ? (uint64_t)json_integer_value(jcount) : 0;
	cap.last_read_ns = now;
	cap.slots = malloc(LOOM_CAPTURE_SLOTS * sizeof(*cap.slots));
	snprintf(name, sizeof(name), "loomcapf%u", ring_seq);
	cap.free_slots = rte_ring_create(name, LOOM_CAPTURE_SLOTS, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "loomcapq%u", ring_seq++);
	cap.full = rte_ring_create(name, LOOM_CAPTURE_SLOTS, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!cap.slots || !cap.free_slots || !cap.full) {
		capture_free_rings(&cap);
		return fail("capture_start: out of memory");
	}
	/* a ring of N holds N - 1: one slot stays unused */
	for (uintptr_t i = 0; i + 1 < LOOM_CAPTURE_SLOTS; i++)
		rte_ring_sp_enqueue(cap.free_slots, (void *)i);
	loom_mailbox_call(st->mb, capture_swap_on_worker, &c);
	if (c.slot < 0) {
		capture_free_rings(&cap);
		return fail("capture_start: %d captures run already (the most at once)", LOOM_CAPTURES_MAX);
	}
	ctl_link_name(sw, cap.port, link, sizeof(link));
	/* the worker's time is loom_clock_now(): the wall time of its 0 lets
	 * the reader stamp frames with the time of day */
	return ok(json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)o->cap[c.slot].id, "interface", link,
			    "dir", dir, "count", (json_int_t)cap.count, "clock_zero_wall_ns",
			    (json_int_t)(wall_ns() - loom_clock_now(st->clock)), "filter", cap.filter.text));
}

static struct loom_capture *capture_by_id(struct loom_observe *o, json_t *req)
{
	json_t *jid = json_object_get(req, "id");

	for (int i = 0; o && json_is_integer(jid) && i < LOOM_CAPTURES_MAX; i++)
		if (o->cap[i].on && o->cap[i].id == (uint64_t)json_integer_value(jid))
			return &o->cap[i];
	return NULL;
}

json_t *ctl_cmd_capture_read(struct loomd_state *st, json_t *req)
{
	struct loom_capture *c = capture_by_id(st->fabric->observe, req);
	json_t *frames;
	size_t bytes = 0;
	uint64_t taken;
	bool done;
	void *v;
	char *hex;

	if (!c)
		return fail("capture_read: no capture with that id (it ended, or was never started)");
	c->last_read_ns = mono_ns();
	hex = malloc(2 * LOOM_CAPTURE_SNAP + 1);
	frames = json_array();
	if (!hex || !frames) {
		free(hex);
		json_decref(frames);
		return fail("out of memory");
	}
	/* only this thread dequeues `full` and enqueues `free_slots` */
	while (bytes < CAPTURE_READ_BYTES && rte_ring_sc_dequeue(c->full, &v) == 0) {
		const struct loom_capture_slot *s = &c->slots[(uintptr_t)v];

		for (uint32_t i = 0; i < s->caplen; i++)
			sprintf(hex + 2 * i, "%02x", s->data[i]);
		hex[2 * s->caplen] = '\0';
		json_array_append_new(frames, json_pack("{s:I, s:s, s:I, s:s}", "t_ns", (json_int_t)s->t, "dir",
							s->dir == LOOM_CAP_RX ? "rx" : "tx", "len", (json_int_t)s->len,
							"data", hex));
		bytes += s->caplen;
		rte_ring_sp_enqueue(c->free_slots, v);
	}
	free(hex);
	/* taken first, then `full`: the worker counts a frame after queueing it */
	taken = __atomic_load_n(&c->taken, __ATOMIC_ACQUIRE);
	done = c->count && taken >= c->count && rte_ring_count(c->full) == 0;
	return ok(json_pack("{s:o, s:I, s:I, s:b}", "frames", frames, "taken", (json_int_t)taken, "lost",
			    (json_int_t)__atomic_load_n(&c->lost, __ATOMIC_RELAXED), "done", done));
}

json_t *ctl_cmd_capture_stop(struct loomd_state *st, json_t *req)
{
	struct loom_capture *c = capture_by_id(st->fabric->observe, req);

	if (!c || stop_capture(st, c->id) < 0)
		return fail("capture_stop: no capture with that id (it ended, or was never started)");
	return ok(NULL);
}
