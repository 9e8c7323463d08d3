/* SPDX-License-Identifier: BSD-3-Clause */
/* Faults over the control socket (ctl_fault.h). */
#include <stdio.h>
#include <string.h>

#include "ctl_fault.h"
#include "fault.h"

struct fault_call {
	struct loom_fabric *f;
	const struct loom_clock *clock;
	uint16_t sw, port;
	enum loom_fault_action action;
	double rate;
	int rc;
	char err[160];
};

static void fault_on_worker(void *arg)
{
	struct fault_call *c = arg;

	c->rc = loom_fault_apply(c->f, c->sw, c->port, c->action, c->rate, loom_clock_now(c->clock), c->err,
				 sizeof(c->err));
}

static json_t *fault_error(const char *msg)
{
	json_t *r = json_pack("{s:b, s:s}", "ok", 0, "error", msg);

	return r ? r : json_pack("{s:b, s:s}", "ok", 0, "error", "bad request");
}

/* "switch": a switch of this loomd; -1 when not. */
static int switch_of(const struct loom_fabric *f, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "switch"));

	for (uint16_t i = 0; name && i < f->n_switches; i++)
		if (strcmp(f->switches[i].name, name) == 0)
			return i;
	return -1;
}

/* "state": "down" or "up"; -1 when neither. */
static int state_of(json_t *req, enum loom_fault_action *a)
{
	const char *s = json_string_value(json_object_get(req, "state"));

	if (s && strcmp(s, "down") == 0)
		return *a = LOOM_FAULT_DOWN, 0;
	if (s && strcmp(s, "up") == 0)
		return *a = LOOM_FAULT_UP, 0;
	return -1;
}

static json_t *run(struct loomd_state *st, struct fault_call *c, const char *what)
{
	loom_mailbox_call(st->mb, fault_on_worker, c);
	if (c->rc < 0)
		return fault_error(c->err);
	return json_pack("{s:b, s:{s:s, s:I}}", "ok", 1, "result", "applied", what, "time_ns",
			 (json_int_t)loom_clock_now(st->clock));
}

json_t *ctl_cmd_link(struct loomd_state *st, json_t *req)
{
	struct fault_call c = {.f = st->fabric, .clock = st->clock};
	json_t *jp = json_object_get(req, "port"), *jl = json_object_get(req, "loss"), *jb = json_object_get(req, "ber");
	int s = switch_of(st->fabric, req);
	int given = (json_object_get(req, "state") != NULL) + (jl != NULL) + (jb != NULL);

	if (s < 0)
		return fault_error("link needs \"switch\": the name of a switch of this loomd");
	if (!json_is_integer(jp) || json_integer_value(jp) < 0 || json_integer_value(jp) >= st->fabric->switches[s].n_ports)
		return fault_error("link needs \"port\": a port number of that switch");
	if (given != 1)
		return fault_error("link needs one of \"state\" (\"down\" or \"up\"), \"loss\" or \"ber\"");
	c.sw = (uint16_t)s;
	c.port = (uint16_t)json_integer_value(jp);
	if (jl || jb) {
		c.action = jl ? LOOM_FAULT_LOSS : LOOM_FAULT_BER;
		if (!json_is_number(jl ? jl : jb))
			return fault_error("link: loss and ber are numbers in [0, 1]");
		c.rate = json_number_value(jl ? jl : jb);
		return run(st, &c, jl ? "loss" : "ber");
	}
	if (state_of(req, &c.action) < 0)
		return fault_error("link: \"state\" must be \"down\" or \"up\"");
	return run(st, &c, c.action == LOOM_FAULT_DOWN ? "down" : "up");
}

json_t *ctl_cmd_switch(struct loomd_state *st, json_t *req)
{
	struct fault_call c = {.f = st->fabric, .clock = st->clock, .port = LOOM_FAULT_SWITCH};
	int s = switch_of(st->fabric, req);

	if (s < 0)
		return fault_error("switch needs \"switch\": the name of a switch of this loomd");
	if (state_of(req, &c.action) < 0)
		return fault_error("switch needs \"state\": \"down\" or \"up\"");
	c.sw = (uint16_t)s;
	return run(st, &c, c.action == LOOM_FAULT_DOWN ? "down" : "up");
}
