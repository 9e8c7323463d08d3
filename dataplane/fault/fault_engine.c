/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults in time (fault.h): a link's ends and a switch going down and up,
 * the detection that follows after the configured time, and the repairs
 * (fault_repair.c) it starts. Reads: the configuration's fault_handling
 * and faults. Sets: each port's link fault (core/link_fault.h), what
 * each switch believes of its links, and through the repairs its groups
 * and routes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_fabric.h"
#include "fault_internal.h"
#include "loomd_config_read.h"

static int __attribute__((format(printf, 3, 4))) fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int sched_cmp(const void *a, const void *b)
{
	const struct fault_sched *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at; /* qsort is not stable: ties keep file order below */
}

static int action_of(const char *s, enum loom_fault_action *a)
{
	static const char *const names[] = {"down", "up", "loss", "ber"};

	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return *a = (enum loom_fault_action)i, 0;
	return -1;
}

static int load_sched(struct loom_faults *F, json_t *list, char *err, size_t errlen)
{
	struct loom_fabric *f = F->f;
	json_t *jf;
	size_t i;
	char msg[160];

	F->sched = calloc(json_array_size(list) + 1, sizeof(*F->sched));
	if (!F->sched)
		return fail(err, errlen, "out of memory");
	json_array_foreach(list, i, jf) {
		struct fault_sched *e = &F->sched[F->n_sched];
		const char *name, *action;
		json_int_t at, port;
		double rate;
		int s = -1;

		if (loomd_cfg_int(jf, LOOMD_FAULT_AT_NS, -1, &at, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jf, LOOMD_FAULT_SWITCH, &name, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(jf, LOOMD_FAULT_PORT, LOOM_FAULT_SWITCH, &port, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jf, LOOMD_FAULT_ACTION, &action, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_number(jf, LOOMD_FAULT_RATE, 0, &rate, msg, sizeof(msg)) < 0)
			return fail(err, errlen, "faults[%zu]: %s", i, msg);
		for (uint16_t k = 0; name && k < f->n_switches; k++)
			if (strcmp(f->switches[k].name, name) == 0)
				s = k;
		if (at < 0)
			return fail(err, errlen, "faults[%zu]: at_ns must be a time in ns", i);
		if (s < 0)
			return fail(err, errlen, "faults[%zu]: no switch '%s'", i, name ? name : "");
		if (port != LOOM_FAULT_SWITCH &&
		    (port < 0 || port >= f->switches[s].n_ports || f->links[s][port].kind == LOOM_LINK_NONE))
			return fail(err, errlen, "faults[%zu]: %s has no port %lld", i, name, (long long)port);
		if (action_of(action, &e->action) < 0)
			return fail(err, errlen, "faults[%zu]: action must be down, up, loss or ber", i);
		if ((e->action == LOOM_FAULT_LOSS || e->action == LOOM_FAULT_BER) &&
		    (port == LOOM_FAULT_SWITCH || !(rate >= 0 && rate <= 1)))
			return fail(err, errlen, "faults[%zu]: loss and ber need a port and a rate in [0, 1]", i);
		e->at = (loom_time_ns)at;
		e->sw = (uint16_t)s;
		e->port = (uint16_t)port;
		e->rate = rate;
		F->n_sched++;
	}
	/* in time order; same time: file order (compile writes them sorted,
	 * so this only guards a hand-written file) */
	for (uint32_t a = 1; a < F->n_sched; a++)
		for (uint32_t b = a; b > 0 && sched_cmp(&F->sched[b - 1], &F->sched[b]) > 0; b--) {
			struct fault_sched t = F->sched[b];
			F->sched[b] = F->sched[b - 1];
			F->sched[b - 1] = t;
		}
	return 0;
}

int loom_faults_load(struct loom_fabric *f, char *err, size_t errlen)
{
	struct loom_faults *F = calloc(1, sizeof(*F));
	json_t *fh = NULL, *list = NULL;
	json_int_t interval = 0, mult = 3, delay = 0;
	char msg[160];

	if (!F)
		return fail(err, errlen, "out of memory");
	f->faults = F;
	F->f = f;
	if (loomd_cfg_get(f->config, LOOMD_ROOT_FAULT_HANDLING, &fh, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_get(f->config, LOOMD_ROOT_FAULTS, &list, msg, sizeof(msg)) < 0 ||
	    (fh && (loomd_cfg_int(fh, LOOMD_FAULT_HANDLING_DETECT_INTERVAL_NS, 0, &interval, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(fh, LOOMD_FAULT_HANDLING_DETECT_MULTIPLIER, 3, &mult, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(fh, LOOMD_FAULT_HANDLING_REPAIR_DELAY_NS, 0, &delay, msg, sizeof(msg)) < 0)))
		return fail(err, errlen, "%s", msg);
	if (interval < 0 || mult < 1 || mult > 255 || delay < 0)
		return fail(err, errlen, "fault_handling: detect_interval_ns and repair_delay_ns must be >= 0, "
			    "detect_multiplier 1..255");
	F->detect_interval_ns = (loom_time_ns)interval;
	F->detect_multiplier = (uint32_t)mult;
	F->repair_delay_ns = (loom_time_ns)delay;
	F->port = calloc(f->n_switches, sizeof(*F->port));
	F->switch_down = calloc(f->n_switches, sizeof(*F->switch_down));
	F->needs_local = calloc(f->n_switches, sizeof(*F->needs_local));
	if (!F->port || !F->switch_down || !F->needs_local)
		return fail(err, errlen, "out of memory");
	for (uint16_t s = 0; s < f->n_switches; s++) {
		F->port[s] = calloc(f->switches[s].n_ports + 1u, sizeof(**F->port));
		if (!F->port[s])
			return fail(err, errlen, "out of memory");
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++)
			lb_rng_seed(&F->port[s][p].lf.rng,
				    (f->seed + 0x6c696e6bull) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)s << 20 | p));
	}
	if (list && load_sched(F, list, err, errlen) < 0)
		return -1;
	return fault_repair_init(F, err, errlen);
}

void loom_faults_free(struct loom_fabric *f)
{
	struct loom_faults *F = f->faults;

	if (!F)
		return;
	fault_repair_free(F);
	for (uint16_t s = 0; F->port && s < f->n_switches; s++)
		free(F->port[s]);
	free(F->port);
	free(F->switch_down);
	free(F->needs_local);
	free(F->sched);
	free(F->pending);
	free(F);
	f->faults = NULL;
}

static void pending_add(struct loom_faults *F, loom_time_ns at, uint8_t kind, uint16_t s, uint16_t p, uint32_t gen)
{
	if (F->n_pending == F->cap_pending) {
		uint32_t cap = F->cap_pending ? 2 * F->cap_pending : 64;
		struct fault_pending *n = realloc(F->pending, cap * sizeof(*n));

		if (!n) { /* a fault nobody would ever detect is worse than a loud stop */
			fprintf(stderr, "loomd: faults: out of memory\n");
			abort();
		}
		F->pending = n;
		F->cap_pending = cap;
	}
	F->pending[F->n_pending++] = (struct fault_pending){.at = at, .kind = kind, .sw = s, .port = p, .gen = gen};
}

/* Port (s, p)'s link fault follows its state: set on the port while the
 * link is down or lossy (cut-through off then: every frame goes through
 * transmit), off otherwise. */
static void port_fault_attach(struct loom_faults *F, uint16_t s, uint16_t p)
{
	struct loom_port *port = &F->f->switches[s].ports[p];
	struct loom_link_fault *lf = &F->port[s][p].lf;
	bool on = lf->down || lf->loss > 0 || lf->ber_log < 0;

	if (on && port->fault == NULL) {
		lf->wire_kept = port->wire;
		port->wire.send = NULL;
		port->fault = lf;
	} else if (!on && port->fault != NULL) {
		port->wire = lf->wire_kept;
		port->fault = NULL;
	}
}

/* Port (s, p) is broken or whole again according to its link and
 * switches: on a change, its detection is due after the detection time. */
static void port_update(struct loom_faults *F, uint16_t s, uint16_t p, loom_time_ns now)
{
	const struct loom_link_spec *l = &F->f->links[s][p];
	struct fault_port *fp = &F->port[s][p];
	bool down = fp->admin_down || F->switch_down[s] || (l->kind == LOOM_LINK_RING && F->switch_down[l->peer_switch]);

	if (down == fp->down)
		return;
	fp->down = down;
	fp->lf.down = down;
	fp->gen++;
	fp->since_ns = now;
	if (down) {
		fp->drops_at_down = F->f->switches[s].ports[p].c.drops[LOOM_DROP_LINK_DOWN];
		fp->downs++;
		fp->ever_down = true;
		F->c.link_downs++;
	} else {
		F->c.link_ups++;
	}
	port_fault_attach(F, s, p);
	pending_add(F, now + fault_detect_ns(F), PENDING_DETECT, s, p, fp->gen);
}

/* The link of (s, p) taken down or brought up: both its ends when it
 * joins two switches of this loomd. */
static void link_set(struct loom_faults *F, uint16_t s, uint16_t p, bool down, loom_time_ns now)
{
	const struct loom_link_spec *l = &F->f->links[s][p];

	F->port[s][p].admin_down = down;
	port_update(F, s, p, now);
	if (l->kind == LOOM_LINK_RING) {
		F->port[l->peer_switch][l->peer_port].admin_down = down;
		port_update(F, l->peer_switch, l->peer_port, now);
	}
}

static void switch_set(struct loom_faults *F, uint16_t s, bool down, loom_time_ns now)
{
	const struct loom_switch *sw = &F->f->switches[s];

	F->switch_down[s] = down;
	for (uint16_t p = 0; p < sw->n_ports; p++) {
		const struct loom_link_spec *l = &F->f->links[s][p];

		if (l->kind == LOOM_LINK_NONE)
			continue;
		port_update(F, s, p, now);
		if (l->kind == LOOM_LINK_RING)
			port_update(F, l->peer_switch, l->peer_port, now);
	}
}

/* Loss and bit errors act on both directions of a link between switches
 * (each end's receiver); on a host link, on what the host sends. */
static void link_rate_set(struct loom_faults *F, uint16_t s, uint16_t p, enum loom_fault_action a, double rate)
{
	const struct loom_link_spec *l = &F->f->links[s][p];
	struct fault_port *ends[2] = {&F->port[s][p], l->kind == LOOM_LINK_RING ? &F->port[l->peer_switch][l->peer_port] : NULL};
	uint16_t sw[2] = {s, l->peer_switch}, port[2] = {p, l->peer_port};

	for (int k = 0; k < 2 && ends[k]; k++) {
		if (a == LOOM_FAULT_LOSS)
			ends[k]->lf.loss = rate;
		else
			ends[k]->lf.ber_log = rate >= 1 ? -INFINITY : log1p(-rate);
		port_fault_attach(F, sw[k], port[k]);
	}
}

static void do_fault(struct loom_faults *F, uint16_t s, uint16_t p, enum loom_fault_action a, double rate,
		     loom_time_ns now)
{
	if (a == LOOM_FAULT_LOSS || a == LOOM_FAULT_BER)
		link_rate_set(F, s, p, a, rate);
	else if (p == LOOM_FAULT_SWITCH)
		switch_set(F, s, a == LOOM_FAULT_DOWN, now);
	else
		link_set(F, s, p, a == LOOM_FAULT_DOWN, now);
}

/* A detection came due: the switch at (s, p) now believes what is true,
 * if it still is (a shorter flap goes unnoticed). */
static void detect(struct loom_faults *F, const struct fault_pending *e, loom_time_ns now)
{
	struct fault_port *fp = &F->port[e->sw][e->port];
	struct loom_fabric *f = F->f;

	if (e->gen != fp->gen) {
		F->c.undetected++;
		return;
	}
	if (fp->detected_down == fp->down)
		return;
	fp->detected_down = fp->down;
	fp->detected_ns = now;
	/* what the switch sent into the dead link before it knew: the
	 * window the detection time leaves open */
	if (fp->down)
		fp->lost_undetected += f->switches[e->sw].ports[e->port].c.drops[LOOM_DROP_LINK_DOWN] - fp->drops_at_down;
	F->c.detections++;
	if (f->cell) { /* the cell fabric's spray sets and reach: its local repair */
		const struct loom_link_spec *l = &f->links[e->sw][e->port];
		if (l->kind == LOOM_LINK_RING && f->switches[e->sw].cell->ports[e->port].is_fabric_link)
			loom_cell_link_set(f, e->sw, e->port, !fp->down, now);
		return;
	}
	F->needs_local[e->sw] = true;
	pending_add(F, now + F->repair_delay_ns, PENDING_GLOBAL, 0, 0, 0);
}

/* Run every pending action due at `now`, the detections first (so that
 * one repair follows all those of an instant); returns the next. */
static loom_time_ns run_pending(struct loom_faults *F, loom_time_ns now)
{
	loom_time_ns next = LOOM_TIME_NEVER;
	bool global = false;
	uint32_t k = 0;

	for (uint32_t i = 0; i < F->n_pending; i++) {
		struct fault_pending e = F->pending[i];

		if (e.at > now) {
			F->pending[k++] = e;
			if (e.at < next)
				next = e.at;
			continue;
		}
		if (e.kind == PENDING_DETECT)
			detect(F, &e, now);
		else
			global = true;
	}
	F->n_pending = k;
	/* detections may have added repairs: those due now run now */
	for (uint32_t i = 0; i < F->n_pending; i++) {
		if (F->pending[i].at <= now && F->pending[i].kind == PENDING_GLOBAL) {
			global = true;
			F->pending[i--] = F->pending[--F->n_pending];
		}
	}
	for (uint16_t s = 0; s < F->f->n_switches; s++) {
		if (F->needs_local[s]) {
			F->needs_local[s] = false;
			fault_repair_local(F, s);
		}
	}
	if (global)
		fault_repair_global(F);
	next = LOOM_TIME_NEVER;
	for (uint32_t i = 0; i < F->n_pending; i++)
		if (F->pending[i].at < next)
			next = F->pending[i].at;
	return next;
}

loom_time_ns loom_faults_run(struct loom_fabric *f, loom_time_ns now)
{
	struct loom_faults *F = f->faults;
	loom_time_ns next;

	if (!F)
		return LOOM_TIME_NEVER;
	while (F->next_sched < F->n_sched && F->sched[F->next_sched].at <= now) {
		const struct fault_sched *e = &F->sched[F->next_sched++];
		do_fault(F, e->sw, e->port, e->action, e->rate, now);
	}
	next = F->n_pending ? run_pending(F, now) : LOOM_TIME_NEVER;
	if (F->next_sched < F->n_sched && F->sched[F->next_sched].at < next)
		next = F->sched[F->next_sched].at;
	return next;
}

int loom_fault_apply(struct loom_fabric *f, uint16_t sw, uint16_t port, enum loom_fault_action action, double rate,
		     loom_time_ns now, char *err, size_t errlen)
{
	struct loom_faults *F = f->faults;

	if (!F || sw >= f->n_switches)
		return fail(err, errlen, "no such switch");
	if (port != LOOM_FAULT_SWITCH && (port >= f->switches[sw].n_ports || f->links[sw][port].kind == LOOM_LINK_NONE))
		return fail(err, errlen, "%s has no port %u linked", f->switches[sw].name, port);
	if ((action == LOOM_FAULT_LOSS || action == LOOM_FAULT_BER) && (port == LOOM_FAULT_SWITCH || !(rate >= 0 && rate <= 1)))
		return fail(err, errlen, "loss and ber need a port and a rate in [0, 1]");
	do_fault(F, sw, port, action, rate, now);
	loom_faults_run(f, now); /* immediate detection and repairs happen now */
	return 0;
}

unsigned int loom_fault_port_state(const struct loom_fabric *f, uint16_t sw, uint16_t port)
{
	const struct fault_port *fp;

	if (!f->faults)
		return 0;
	fp = &f->faults->port[sw][port];
	return (fp->down ? LOOM_LINK_STATE_DOWN : 0) | (fp->detected_down ? LOOM_LINK_STATE_DETECTED : 0) |
	       (fp->lf.loss > 0 || fp->lf.ber_log < 0 ? LOOM_LINK_STATE_LOSSY : 0);
}

json_t *loom_faults_json(const struct loom_fabric *f)
{
	const struct loom_faults *F = f->faults;
	const struct fault_counters *c;
	json_t *links = json_array(), *switches = json_array();

	if (!F)
		return json_object();
	c = &F->c;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		if (F->switch_down[s])
			json_array_append_new(switches, json_string(sw->name));
		for (uint16_t p = 0; p < sw->n_ports; p++) {
			const struct fault_port *fp = &F->port[s][p];

			if (!fp->ever_down && fp->lf.loss == 0 && fp->lf.ber_log == 0)
				continue;
			json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:f}", "switch", sw->name, "port", p,
					      "name", sw->ports[p].name, "state", fp->down ? "down" : "up",
					      "detected_down", fp->detected_down, "since_ns", (json_int_t)fp->since_ns,
					      "detected_ns", (json_int_t)fp->detected_ns, "downs", (json_int_t)fp->downs,
					      "lost_before_detection", (json_int_t)fp->lost_undetected, "loss", fp->lf.loss);
			if (fp->lf.ber_log < 0)
				json_object_set_new(o, "ber", json_real(-expm1(fp->lf.ber_log)));
			json_array_append_new(links, o);
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
			 "detect_interval_ns", (json_int_t)F->detect_interval_ns, "detect_multiplier",
			 (json_int_t)F->detect_multiplier, "detect_ns", (json_int_t)fault_detect_ns(F), "repair_delay_ns",
			 (json_int_t)F->repair_delay_ns, "counters", "link_downs", (json_int_t)c->link_downs, "link_ups",
			 (json_int_t)c->link_ups, "detections", (json_int_t)c->detections, "undetected",
			 (json_int_t)c->undetected, "local_repairs", (json_int_t)c->local_repairs, "global_repairs",
			 (json_int_t)c->global_repairs, "routes_to_spare", (json_int_t)c->routes_to_spare,
			 "routes_withdrawn", (json_int_t)c->routes_withdrawn, "routes_restored",
			 (json_int_t)c->routes_restored, "spares_exhausted", (json_int_t)c->spares_exhausted, "links",
			 links, "switches_down", switches);
}
