/* SPDX-License-Identifier: BSD-3-Clause */
/* Traces and captures over the control socket (ctl_trace.h). A trace or
 * a capture is built here, on the control thread, and swapped in by the
 * worker between two bursts (the mailbox), as `lb_set` does; what the
 * worker stopped using is freed here afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "ctl_trace.h"

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
	c.t = loom_trace_new(st->fabric, json_string_value(json_object_get(req, "switch")),
			    jport ? json_integer_value(jport) : -1, jcount ? json_integer_value(jcount) : 1,
			    jmatch ? json_string_value(jmatch) : "", err, sizeof(err));
	if (!c.t)
		return fail("trace_start: %s", err);
	loom_mailbox_call(st->mb, trace_swap_on_worker, &c);
	free(c.t); /* the trace it replaced: the worker no longer sees it */
	return ok(json_pack("{s:s, s:i, s:I, s:s}", "switch", loom_trace_switch_name(st->fabric, o->trace->sw), "port",
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
	r = c.have ? ok(loom_trace_json(st->fabric, c.copy)) : fail("trace_show: no trace was started");
	free(c.copy);
	return r;
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
	if (loom_observe_port_of(st->fabric, json_string_value(json_object_get(req, "switch")), json_integer_value(jport), true,
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
	loom_capture_link_name(sw, cap.port, link, sizeof(link));
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
