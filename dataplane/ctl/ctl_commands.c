/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands. Anything that reads or changes switch state runs on
 * the worker through the mailbox, so that replies are consistent snapshots
 * (the conservation check in `stats` holds exactly, even under traffic).
 */
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "ctl.h"

static json_t *error_reply(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *ok_reply(json_t *result)
{
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_object());
}

static const char *link_kind_name(enum loom_link_kind k)
{
	return k == LOOM_LINK_RING ? "ring" : k == LOOM_LINK_ETHDEV ? "ethdev" : "none";
}

static json_t *drops_object(const uint64_t *drops)
{
	json_t *o = json_object();

	for (int r = 1; r < LOOM_DROP_MAX; r++)
		if (drops[r])
			json_object_set_new(o, loom_drop_reason_name(r), json_integer((json_int_t)drops[r]));
	return o;
}

/* What the port's driver lost or refused before the switch saw the packets
 * (e.g. an af_packet socket ring that overflowed): not switch drops, so not
 * part of the conservation equation, but the first place to look when a
 * host sees loss that the switch did not count. */
static json_t *wire_stats(const struct loomd_state *st, const struct loom_switch *sw, uint16_t port)
{
	struct rte_eth_stats es;

	for (uint32_t i = 0; i < st->ports->n; i++) {
		const struct loom_port_io *io = &st->ports->io[i];

		if (io->sw != sw || io->port != port || io->kind != LOOM_LINK_ETHDEV)
			continue;
		if (rte_eth_stats_get(io->ethdev, &es) != 0)
			break;
		return json_pack("{s:I, s:I, s:I, s:I}", "rx_missed", (json_int_t)es.imissed, "rx_errors",
				 (json_int_t)es.ierrors, "rx_nombuf", (json_int_t)es.rx_nombuf, "tx_errors",
				 (json_int_t)es.oerrors);
	}
	return NULL;
}

static json_t *port_stats(const struct loomd_state *st, uint16_t s, const struct loom_port *p)
{
	const struct loom_fabric *f = st->fabric;
	json_t *wire = wire_stats(st, &f->switches[s], p->index);
	json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "index", p->index, "name", p->name, "link",
			 link_kind_name(f->links[s][p->index].kind), "rx_packets", (json_int_t)p->c.rx_packets,
			 "rx_bytes", (json_int_t)p->c.rx_bytes, "tx_packets", (json_int_t)p->c.tx_packets, "tx_bytes",
			 (json_int_t)p->c.tx_bytes, "queued",
			 (json_int_t)loom_switch_queued(&f->switches[s], p->index), "drops", drops_object(p->c.drops));

	if (wire)
		json_object_set_new(o, "wire", wire);
	return o;
}

/* Per switch: port counters, totals, and the conservation equation
 *   rx + generated = tx + answered + dropped + queued. */
static json_t *switch_stats(const struct loomd_state *st, uint16_t s)
{
	const struct loom_fabric *f = st->fabric;
	const struct loom_switch *sw = &f->switches[s];
	uint64_t rx = 0, tx = 0, rx_bytes = 0, tx_bytes = 0, queued = 0, dropped = 0;
	uint64_t drops[LOOM_DROP_MAX] = {0};
	json_t *ports = json_array();

	for (uint16_t i = 0; i < sw->n_ports; i++) {
		const struct loom_port *p = &sw->ports[i];

		if (f->links[s][i].kind == LOOM_LINK_NONE)
			continue;
		rx += p->c.rx_packets;
		tx += p->c.tx_packets;
		rx_bytes += p->c.rx_bytes;
		tx_bytes += p->c.tx_bytes;
		queued += loom_switch_queued(sw, i);
		for (int r = 1; r < LOOM_DROP_MAX; r++) {
			drops[r] += p->c.drops[r];
			dropped += p->c.drops[r];
		}
		json_array_append_new(ports, port_stats(st, s, p));
	}
	return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o}", "name", sw->name,
			 "role", sw->role == LOOM_ROLE_LEAF ? "leaf" : "spine", "plane", sw->plane, "rx_packets",
			 (json_int_t)rx, "rx_bytes", (json_int_t)rx_bytes, "tx_packets", (json_int_t)tx, "tx_bytes",
			 (json_int_t)tx_bytes, "answered", (json_int_t)sw->c.answered, "generated",
			 (json_int_t)sw->c.generated, "dropped", (json_int_t)dropped, "queued", (json_int_t)queued,
			 "drops", drops_object(drops), "conserved",
			 rx + sw->c.generated == tx + sw->c.answered + dropped + queued, "ports", ports);
}

struct stats_call {
	struct loomd_state *st;
	json_t *result;
};

static void stats_on_worker(void *arg)
{
	struct stats_call *c = arg;
	const struct loom_fabric *f = c->st->fabric;
	json_t *switches = json_array();

	for (uint16_t s = 0; s < f->n_switches; s++)
		json_array_append_new(switches, switch_stats(c->st, s));
	c->result = json_pack("{s:s, s:I, s:o}", "fabric", f->name, "time_ns",
			      (json_int_t)loom_clock_now(c->st->clock), "switches", switches);
}

static json_t *cmd_stats(struct loomd_state *st, json_t *req)
{
	struct stats_call c = {.st = st};

	(void)req;
	loom_mailbox_call(st->mb, stats_on_worker, &c);
	return ok_reply(c.result);
}

static json_t *cmd_status(struct loomd_state *st, json_t *req)
{
	const struct loom_fabric *f = st->fabric;
	json_t *switches = json_array();

	(void)req;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];
		json_t *ports = json_array();

		for (uint16_t i = 0; i < sw->n_ports; i++) {
			const struct loom_link_spec *l = &f->links[s][i];
			if (l->kind == LOOM_LINK_NONE)
				continue;
			json_array_append_new(ports, json_pack("{s:i, s:s, s:s, s:s}", "index", i, "name",
							       sw->ports[i].name, "link", link_kind_name(l->kind),
							       "devargs", l->kind == LOOM_LINK_ETHDEV ? l->devargs : ""));
		}
		json_array_append_new(switches, json_pack("{s:s, s:s, s:i, s:i, s:o}", "name", sw->name, "role",
							  sw->role == LOOM_ROLE_LEAF ? "leaf" : "spine", "plane",
							  sw->plane, "hash_seed", (int)sw->hash_seed, "ports", ports));
	}
	return ok_reply(json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:o}", "fabric", f->name, "pid", (int)getpid(),
				  "uptime_ns", (json_int_t)loom_clock_now(st->clock), "loops", (json_int_t)st->rt->loops,
				  "busy_loops", (json_int_t)st->rt->busy_loops, "idle_sleeps",
				  (json_int_t)st->rt->sleeps, "switches", switches));
}

/* The switch's routes as loomctl compiled them (read-only after start). */
static json_t *cmd_routes(struct loomd_state *st, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "switch"));
	json_t *switches = json_object_get(st->fabric->config, "switches");
	json_t *js;
	size_t i;

	if (!name)
		return error_reply("%s", "routes needs \"switch\"");
	json_array_foreach(switches, i, js) {
		if (strcmp(json_string_value(json_object_get(js, "name")), name) == 0)
			return ok_reply(json_pack("{s:s, s:O, s:O, s:O}", "switch", name, "nexthops",
						  json_object_get(js, "nexthops"), "groups",
						  json_object_get(js, "groups"), "routes", json_object_get(js, "routes")));
	}
	return error_reply("no switch '%s' in this loomd", name);
}

static json_t *cmd_ping(struct loomd_state *st, json_t *req)
{
	(void)st;
	(void)req;
	return ok_reply(json_pack("{s:s}", "pong", "loomd"));
}

static json_t *cmd_shutdown(struct loomd_state *st, json_t *req)
{
	(void)req;
	atomic_store(st->stop, true);
	return ok_reply(NULL);
}

static json_t *cmd_help(struct loomd_state *st, json_t *req);

static const struct {
	const char *name;
	const char *help;
	json_t *(*fn)(struct loomd_state *st, json_t *req);
} commands[] = {
	{"help", "this list", cmd_help},
	{"ping", "is loomd there", cmd_ping},
	{"status", "switches, ports and how they are linked; loop counters", cmd_status},
	{"stats", "per switch and port: packets, bytes, drops by reason, queued; conservation", cmd_stats},
	{"routes", "{\"switch\": NAME}: routes, ECMP groups and next hops of a switch", cmd_routes},
	{"shutdown", "stop forwarding and exit", cmd_shutdown},
};

static json_t *cmd_help(struct loomd_state *st, json_t *req)
{
	json_t *list = json_object();

	(void)st;
	(void)req;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		json_object_set_new(list, commands[i].name, json_string(commands[i].help));
	return ok_reply(list);
}

json_t *ctl_handle_request(struct loomd_state *st, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr);
	const char *cmd;
	json_t *r;

	if (!req)
		return error_reply("malformed request: %s", jerr.text);
	cmd = json_string_value(json_object_get(req, "cmd"));
	if (!json_is_object(req) || !cmd) {
		json_decref(req);
		return error_reply("%s", "malformed request: expected {\"cmd\": ...}");
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, cmd) == 0) {
			r = commands[i].fn(st, req);
			json_decref(req);
			return r;
		}
	}
	r = error_reply("unknown command '%s' ({\"cmd\": \"help\"} lists them)", cmd);
	json_decref(req);
	return r;
}
