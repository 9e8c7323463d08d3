/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands. Anything that reads or changes switch state runs on
 * the worker through the mailbox, so that replies are consistent snapshots
 * (the conservation check in `stats` holds exactly, even under traffic).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "egress.h"
#include "ctl.h"
#include "p4_switch.h"
#include "ctl_tm.h"
#include "gen_config.h"
#include "ctl_lb.h"
#include "ctl_cell.h"
#include "conga_switch.h"
#include "ctl_trace.h"
#include "ctl_changes.h"
#include "ctl_fault.h"
#include "ctl_routes.h"
#include "fault.h"
#include "loomd_config_keys.h"

/* An error reply naming `what`: client input is quoted at most 64 bytes
 * long, cut at a UTF-8 character boundary, so that the reply is valid JSON
 * whatever was sent. */
static json_t *error_reply(const char *fmt, const char *what)
{
	char quoted[72], msg[256];
	size_t n = strlen(what);

	if (n > 64) {
		n = 64;
		while (n > 0 && ((unsigned char)what[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(quoted, what, n);
	strcpy(quoted + n, strlen(what) > n ? "..." : "");
	snprintf(msg, sizeof(msg), fmt, quoted);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *ok_reply(json_t *result)
{
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_object());
}

static const char *link_kind_name(enum loom_link_kind k)
{
	return k == LOOM_LINK_RING ? "ring" : k == LOOM_LINK_ETHDEV ? "ethdev" : k == LOOM_LINK_GENERATOR ? "generator" : "none";
}

static json_t *drops_object(const uint64_t *drops)
{
	json_t *o = json_object();

	for (int r = 1; r < LOOM_DROP_MAX; r++)
		if (drops[r])
			json_object_set_new(o, loom_drop_reason_name(r), json_integer((json_int_t)drops[r]));
	return o;
}

/* CONGA's counters (docs/CONGA.md): the overlay's, and its policies'
 * decisions on this switch. */
static json_t *conga_json(const struct conga_counters *c, const struct lb_conga_counters *l)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "tagged", (json_int_t)c->tagged, "untagged",
			 (json_int_t)c->untagged, "feedback_sent", (json_int_t)c->feedback_sent, "feedback_received",
			 (json_int_t)c->feedback_received, "ce_raised", (json_int_t)c->ce_raised, "no_room",
			 (json_int_t)c->no_room, "decisions", (json_int_t)l->decisions, "by_remote",
			 (json_int_t)l->by_remote, "remote_unknown", (json_int_t)l->remote_unknown);
}

/* Counters copied by the worker between two bursts; the JSON is built
 * from the copy on the control thread, so forwarding pauses only for a
 * memcpy per switch. */
struct switch_snapshot {
	struct loom_switch_counters c;
	struct loom_port_counters *ports; /* [n_ports] */
	uint32_t *queued;                 /* [n_ports] */
	uint64_t *queued_bytes;           /* [n_ports] (the time series' queue depth) */
	struct ctl_tm_snapshot *tm;       /* [n_ports] traffic manager counters */
	uint32_t *in_flight;              /* [n_ports] in the link's delay line */
	uint8_t *link_state;              /* [n_ports] LOOM_LINK_STATE_* (fault.h) */
	struct loom_lb_snapshot lb;
	struct ctl_cell_snapshot cell;    /* cell fabric (ctl_cell.c) */
	bool conga_on;                    /* CONGA's overlay (dataplane/conga/) */
	struct conga_counters conga;
	struct lb_conga_counters conga_lb;
	struct loom_p4_reg p4_regs[LOOM_P4_REGS_MAX]; /* a P4 switch's registers, element 0 */
	int n_p4_regs;
};

struct stats_call {
	const struct loom_fabric *fabric;
	json_t *faults;
	struct switch_snapshot *snap;
	loom_time_ns now;
	const struct loom_clock *clock;
	const struct loom_ports *ports;
};

static int snapshot_alloc(struct switch_snapshot *snap, const struct loom_switch *sw)
{
	uint16_t n_ports = sw->n_ports;

	snap->ports = calloc(n_ports, sizeof(*snap->ports));
	snap->queued = calloc(n_ports, sizeof(*snap->queued));
	snap->queued_bytes = calloc(n_ports, sizeof(*snap->queued_bytes));
	snap->tm = calloc(n_ports, sizeof(*snap->tm));
	snap->in_flight = calloc(n_ports, sizeof(*snap->in_flight));
	snap->link_state = calloc(n_ports, sizeof(*snap->link_state));
	if (loom_lb_snapshot_alloc(sw, &snap->lb) < 0 || ctl_cell_snapshot_alloc(sw, &snap->cell) < 0)
		return -1;
	return snap->ports && snap->queued && snap->queued_bytes && snap->tm && snap->in_flight && snap->link_state ? 0 : -1;
}

static void snapshot_free(struct switch_snapshot *snap)
{
	free(snap->ports);
	free(snap->queued);
	free(snap->queued_bytes);
	free(snap->tm);
	free(snap->in_flight);
	free(snap->link_state);
	loom_lb_snapshot_free(&snap->lb);
	ctl_cell_snapshot_free(&snap->cell);
}

/* Copy a switch's counters (on the thread that runs the switch). */
static void snapshot_fill(const struct loom_switch *sw, struct switch_snapshot *snap)
{
	snap->c = sw->c;
	for (uint16_t p = 0; p < sw->n_ports; p++) {
		snap->ports[p] = sw->ports[p].c;
		snap->queued[p] = loom_switch_queued(sw, p);
		snap->queued_bytes[p] = loom_switch_queued_bytes(sw, p);
		ctl_tm_snapshot(&sw->ports[p], &snap->tm[p]);
	}
	loom_lb_snapshot_take(sw, &snap->lb);
	ctl_cell_snapshot_take(sw, &snap->cell);
	snap->conga_on = sw->conga != NULL;
	if (sw->conga) {
		snap->conga = sw->conga->c;
		snap->conga_lb = sw->conga->view.c;
	}
	snap->n_p4_regs = loom_p4_registers_read(sw, snap->p4_regs, LOOM_P4_REGS_MAX);
}

static void stats_copy_on_worker(void *arg)
{
	struct stats_call *c = arg;

	c->now = loom_clock_now(c->clock);
	for (uint16_t s = 0; s < c->fabric->n_switches; s++) {
		const struct loom_switch *sw = &c->fabric->switches[s];

		snapshot_fill(sw, &c->snap[s]);
		for (uint16_t p = 0; p < sw->n_ports; p++)
			c->snap[s].link_state[p] = (uint8_t)loom_fault_port_state(c->fabric, s, p);
	}
	c->faults = loom_faults_json(c->fabric);
	for (uint32_t i = 0; i < c->ports->n; i++) {
		const struct loom_port_io *io = &c->ports->io[i];

		c->snap[io->sw - c->fabric->switches].in_flight[io->port] = port_io_in_flight(io);
	}
}

/* What the port's driver lost or refused before the switch saw the packets
 * (e.g. an af_packet socket ring that overflowed): not switch drops, so not
 * part of the conservation equation, but the first place to look when a
 * host sees loss that the switch did not count. */
static json_t *wire_stats(const struct loom_port_io *io)
{
	struct rte_eth_stats es;
	uint64_t ring_full;

	if (rte_eth_stats_get(io->ethdev, &es) != 0)
		return NULL;
	/* an af_packet ring's own drops are what a NIC calls missed */
	ring_full = io->ring ? loom_ring_drops_total(io->ring) : 0;
	/* rx_foreign: other interfaces' frames its ring caught before the
	 * driver bound it, never given to the switch; ring_dropped_before_start:
	 * what it dropped until then, frames of any interface, not in rx_missed
	 * (port_ring_foreign.h) */
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "rx_missed", (json_int_t)(es.imissed + ring_full),
			 "rx_errors", (json_int_t)es.ierrors, "rx_nombuf", (json_int_t)es.rx_nombuf, "tx_errors",
			 (json_int_t)es.oerrors, "rx_foreign", (json_int_t)io->rx_foreign, "ring_dropped_before_start",
			 (json_int_t)(io->ring ? io->ring->before_start : 0));
}

static json_t *port_json(const struct loom_fabric *f, uint16_t s, uint16_t p, const struct switch_snapshot *snap,
			 const struct loom_port_io *io)
{
	const struct loom_port_counters *c = &snap->ports[p];
	json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "index", p, "name",
			      f->switches[s].ports[p].name, "link", link_kind_name(f->links[s][p].kind),
			      "rx_packets", (json_int_t)c->rx_packets, "rx_bytes", (json_int_t)c->rx_bytes,
			      "tx_packets", (json_int_t)c->tx_packets, "tx_bytes", (json_int_t)c->tx_bytes, "queued",
			      (json_int_t)snap->queued[p], "drops", drops_object(c->drops));
	json_t *wire = io && io->kind == LOOM_LINK_ETHDEV ? wire_stats(io) : NULL;

	/* the link's rate, so that readers (loomctl top) can show utilization */
	json_object_set_new(o, "rate_bps", json_integer((json_int_t)f->switches[s].ports[p].rate_bps));
	json_object_set_new(o, "queued_bytes", json_integer((json_int_t)snap->queued_bytes[p]));
	if (wire)
		json_object_set_new(o, "wire", wire);
	if (snap->tm[p].on)
		json_object_set_new(o, "tm", ctl_tm_stats_json(&snap->tm[p]));
	{
		unsigned int ls = snap->link_state[p];
		/* the link as it is, and as the switch believes it (docs/FAULTS.md) */
		json_object_set_new(o, "link_state", json_string(ls & LOOM_LINK_STATE_DOWN ? "down" : "up"));
		if (ls)
			json_object_set_new(o, "link_fault",
					    json_pack("{s:b, s:b}", "detected_down", (ls & LOOM_LINK_STATE_DETECTED) != 0,
						      "lossy", (ls & LOOM_LINK_STATE_LOSSY) != 0));
	}
	/* transmitted (counted in tx) but still on the link (delay line) */
	json_object_set_new(o, "in_flight", json_integer((json_int_t)snap->in_flight[p]));
	return o;
}

/* Per switch: port counters, totals, and the conservation equation
 *   rx + generated = tx + answered + dropped + queued. */
static json_t *switch_json(const struct loom_fabric *f, uint16_t s, const struct switch_snapshot *snap,
			   const struct loom_port_io *const *io_of_port)
{
	const struct loom_switch *sw = &f->switches[s];
	uint64_t rx = 0, tx = 0, rx_bytes = 0, tx_bytes = 0, queued = 0, dropped = 0;
	uint64_t drops[LOOM_DROP_MAX] = {0};
	json_t *ports = json_array();

	for (uint16_t i = 0; i < sw->n_ports; i++) {
		const struct loom_port_counters *c = &snap->ports[i];

		if (f->links[s][i].kind == LOOM_LINK_NONE)
			continue;
		rx += c->rx_packets;
		tx += c->tx_packets;
		rx_bytes += c->rx_bytes;
		tx_bytes += c->tx_bytes;
		queued += snap->queued[i];
		for (int r = 1; r < LOOM_DROP_MAX; r++) {
			drops[r] += c->drops[r];
			dropped += c->drops[r];
		}
		json_array_append_new(ports, port_json(f, s, i, snap, io_of_port[i]));
	}
	json_t *o = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o, s:o}", "name", sw->name,
			 "role", loom_role_name(sw->role), "plane", sw->plane, "rx_packets",
			 (json_int_t)rx, "rx_bytes", (json_int_t)rx_bytes, "tx_packets", (json_int_t)tx, "tx_bytes",
			 (json_int_t)tx_bytes, "answered", (json_int_t)snap->c.answered, "generated",
			 (json_int_t)snap->c.generated, "dropped", (json_int_t)dropped, "queued", (json_int_t)queued,
			 "drops", drops_object(drops), "conserved",
			 /* a cell fabric's switch also makes and consumes cells and packets */
			 rx + snap->c.generated + snap->cell.made ==
				 tx + snap->c.answered + dropped + queued + snap->cell.queued + snap->cell.consumed,
			 "ports", ports,
			 "load_balancing", ctl_lb_switch_json(sw, &snap->lb));

	/* which forwarding the switch runs: set at load time, read-only since */
	if (o) {
		json_object_set_new(o, "pipeline", json_string(sw->p4 ? "p4" : "native"));
		json_object_set_new(o, "fast_path_packets", json_integer((json_int_t)snap->c.fast_path));
	}
	if (o && sw->p4) {
		json_t *regs = json_object();

		for (int i = 0; i < snap->n_p4_regs; i++)
			json_object_set_new(regs, snap->p4_regs[i].name, json_integer((json_int_t)snap->p4_regs[i].value));
		json_object_set_new(o, "p4_registers", regs);
	}
	if (o && snap->cell.on)
		json_object_set_new(o, "cell", ctl_cell_switch_json(sw, &snap->cell));
	if (o && snap->conga_on)
		json_object_set_new(o, "conga", conga_json(&snap->conga, &snap->conga_lb));
	return o;
}

/* The real-time loop's record of how late its turns started
 * (runner/fidelity.h); cumulative, so callers judge differences. */
static json_t *fidelity_json(const struct loom_fidelity *fd)
{
	json_t *hist = json_array();

	for (int b = 0; b < LOOM_FIDELITY_BUCKETS; b++)
		json_array_append_new(hist, json_integer((json_int_t)fd->hist[b]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "slack_ns", (json_int_t)LOOM_FIDELITY_SLACK_NS,
			 "turns", (json_int_t)fd->turns, "late_turns", (json_int_t)fd->late_turns, "late_ns",
			 (json_int_t)fd->late_ns, "max_late_ns", (json_int_t)fd->max_late_ns, "max_late_at_ns",
			 (json_int_t)fd->max_late_at_ns, "late_hist_ms", hist);
}

/* The packet pool: its size and how many mbufs are out of it (in queues,
 * in flight, or leaked: a soak checks this returns to its baseline).
 * Read from the control thread: DPDK's count adds the ring and the
 * per-lcore caches, exact when the worker is idle. */
static json_t *mbufs_json(const struct loom_ports *ports)
{
	if (!ports || !ports->pool)
		return json_null();
	return json_pack("{s:I, s:I}", "size", (json_int_t)ports->pool->size, "in_use",
			 (json_int_t)rte_mempool_in_use_count(ports->pool));
}

static json_t *cmd_stats(struct loomd_state *st, json_t *req)
{
	const struct loom_fabric *f = st->fabric;
	struct stats_call c = {.fabric = f, .clock = st->clock, .ports = st->ports};
	json_t *switches = json_array();

	(void)req;
	c.snap = calloc(f->n_switches, sizeof(*c.snap));
	for (uint16_t s = 0; c.snap && s < f->n_switches; s++) {
		if (snapshot_alloc(&c.snap[s], &f->switches[s]) < 0)
			goto oom;
	}
	if (!c.snap)
		goto oom;
	loom_mailbox_call(st->mb, stats_copy_on_worker, &c);

	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_port_io *io_of_port[256] = {0};

		for (uint32_t i = 0; i < st->ports->n; i++)
			if (st->ports->io[i].sw == &f->switches[s])
				io_of_port[st->ports->io[i].port] = &st->ports->io[i];
		json_array_append_new(switches, switch_json(f, s, &c.snap[s], io_of_port));
	}
	for (uint16_t s = 0; s < f->n_switches; s++)
		snapshot_free(&c.snap[s]);
	free(c.snap);
	json_t *reply = json_pack("{s:s, s:I, s:o, s:o}", "fabric", f->name, "time_ns", (json_int_t)c.now, "switches",
				  switches, "faults", c.faults ? c.faults : json_object());
	if (st->rt)
		json_object_set_new(reply, "fidelity", fidelity_json(&st->rt->fidelity));
	return ok_reply(reply);
oom:
	for (uint16_t s = 0; c.snap && s < f->n_switches; s++)
		snapshot_free(&c.snap[s]);
	free(c.snap);
	json_decref(switches);
	return error_reply("%s", "out of memory");
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
			json_t *pj = json_pack("{s:i, s:s, s:s, s:s}", "index", i, "name", sw->ports[i].name, "link",
					       link_kind_name(l->kind), "devargs",
					       l->kind == LOOM_LINK_ETHDEV ? l->devargs : "");

			/* a driver port's link: a VM host's vhost-user port is down
			 * until its QEMU has (re)connected (loomctl restart waits) */
			for (uint32_t k = 0; l->kind == LOOM_LINK_ETHDEV && k < st->ports->n; k++) {
				const struct loom_port_io *io = &st->ports->io[k];
				struct rte_eth_link link;

				if (io->sw == sw && io->port == i && io->kind == LOOM_LINK_ETHDEV &&
				    rte_eth_link_get_nowait(io->ethdev, &link) == 0)
					json_object_set_new(pj, "link_up", json_boolean(link.link_status == RTE_ETH_LINK_UP));
			}
			json_array_append_new(ports, pj);
		}
		json_array_append_new(switches, json_pack("{s:s, s:s, s:i, s:I, s:b, s:o}", "name", sw->name, "role",
							  loom_role_name(sw->role), "plane",
							  sw->plane, "hash_seed", (json_int_t)sw->hash_seed,
							  "hash_flow_label", sw->hash_flow_label_mask != 0, "ports", ports));
	}
	json_t *r = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:s, s:o, s:o, s:o}", "fabric", f->name, "pid",
			      (int)getpid(), "uptime_ns", (json_int_t)loom_clock_now(st->clock), "loops",
			      (json_int_t)st->rt->loops, "busy_loops", (json_int_t)st->rt->busy_loops, "busy_cycles",
			      (json_int_t)((unsigned __int128)st->rt->busy_ns * st->rt->tsc_hz / LOOM_NS_PER_S),
			      "busy_rx_packets", (json_int_t)st->rt->rx_packets,
			      "tsc_hz", (json_int_t)st->rt->tsc_hz, "idle_sleeps", (json_int_t)st->rt->sleeps,
			      "forwarding_since_monotonic_ns",
			      (json_int_t)__atomic_load_n(&st->forwarding_since_ns, __ATOMIC_ACQUIRE), "worker_priority",
			      st->rt->worker_priority, "worker_scheduling", st->rt->worker_scheduling, "mbufs",
			      mbufs_json(st->ports), "fidelity", fidelity_json(&st->rt->fidelity), "switches", switches);

	if (r && st->startup_ms)
		json_object_set(r, "startup_ms", st->startup_ms);
	/* the worker's own pauses under sustained load (runner/worker_priority.h) */
	if (r) {
		json_object_set_new(r, "worker_pauses", json_integer((json_int_t)st->rt->pauses));
		json_object_set_new(r, "worker_pause_plan", json_string(st->rt->pause_plan));
	}
	/* the live changes: where they are recorded, how many now, what the
	 * start re-applied and skipped */
	if (r && st->changes) {
		json_t *ch = st->changes_replayed ? json_deep_copy(st->changes_replayed) : json_object();

		json_object_set_new(ch, "dir", json_string(st->changes->dir));
		json_object_set_new(ch, "recorded", json_integer((json_int_t)st->changes->n));
		json_object_set_new(r, "changes", ch);
	}
	return ok_reply(r);
}

/* The switch's routes as loomctl compiled them (read-only after start). */
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

/* Switch a running switch between the native stages and a P4 program:
 * the pipeline is built here (it only reads the switch's tables), swapped
 * in by the worker between two bursts, and the old one freed here once the
 * worker no longer uses it. */
struct pipeline_swap {
	struct loom_switch *sw;
	struct loom_p4 *install;
	struct loom_p4 *replaced;
};

static void pipeline_swap_on_worker(void *arg)
{
	struct pipeline_swap *c = arg;
	c->replaced = loom_p4_install(c->sw, c->install);
}

static json_t *cmd_pipeline(struct loomd_state *st, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "switch"));
	const char *pipeline = json_string_value(json_object_get(req, "pipeline"));
	const char *spec = json_string_value(json_object_get(req, "p4_spec"));
	struct pipeline_swap c = {0};
	char err[768];

	if (!name || !pipeline)
		return error_reply("%s", "pipeline needs \"switch\" and \"pipeline\" (native or p4)");
	for (uint16_t s = 0; s < st->fabric->n_switches && !c.sw; s++)
		if (strcmp(st->fabric->switches[s].name, name) == 0)
			c.sw = &st->fabric->switches[s];
	if (!c.sw)
		return error_reply("no switch '%s' in this loomd", name);
	if (c.sw->cell) /* modes are exclusive (core/switch_mode.h) */
		return error_reply("switch '%s' is in a cell fabric: it runs the native stages", name);
	if (strcmp(pipeline, "p4") == 0) {
		if (loom_p4_build(c.sw, spec ? spec : LOOM_P4_SPEC_DEFAULT, &c.install, err, sizeof(err)) < 0) {
			/* the whole message (file:line: what); the spec path came from
			 * the client, so it may not be UTF-8 */
			json_t *msg = json_string(err);
			return msg ? json_pack("{s:b, s:o}", "ok", 0, "error", msg)
				   : error_reply("%s", "the P4 pipeline was refused (message not UTF-8)");
		}
	} else if (strcmp(pipeline, "native") != 0 || spec) {
		return error_reply("%s", "pipeline must be native or p4 (p4_spec goes with p4)");
	}
	loom_mailbox_call(st->mb, pipeline_swap_on_worker, &c);
	loom_p4_free(c.replaced);
	return ok_reply(json_pack("{s:s, s:s}", "switch", name, "pipeline", pipeline));
}

/* Per-flow results of the generator hosts, built on the worker (the
 * counters change under it otherwise): forwarding pauses for as long as
 * the JSON takes, so it is not for a tight polling loop. */
struct flows_call {
	const struct loom_fabric *fabric;
	const struct loom_clock *clock;
	json_t *result;
};

static void flows_on_worker(void *arg)
{
	struct flows_call *c = arg;

	c->result = json_pack("{s:s, s:I, s:o, s:o}", "fabric", c->fabric->name, "time_ns",
			      (json_int_t)loom_clock_now(c->clock), "hosts", loom_gen_hosts_json(c->fabric), "flows",
			      loom_gen_flows_json(c->fabric));
}

static json_t *cmd_flows(struct loomd_state *st, json_t *req)
{
	struct flows_call c = {.fabric = st->fabric, .clock = st->clock};

	(void)req;
	loom_mailbox_call(st->mb, flows_on_worker, &c);
	return c.result ? ok_reply(c.result) : error_reply("%s", "out of memory");
}

static json_t *cmd_help(struct loomd_state *st, json_t *req);

/*
 * Live changes (docs/RESTART.md). A command that changes a running fabric
 * has a change key in the table below: what the request sets, as a string
 * ("tm leaf0:3 ecn.k"). After such a request succeeds, ctl_dispatch records
 * it in loomd's changes directory (ctl_changes.h), replacing the record of
 * an earlier change with the same key, and a loomd started again re-applies
 * the records in order. A new command that changes switch state at run time
 * (a link or switch taken down, say) gets a key function here and nothing
 * else. A key function returns 1 with the key, 0 when this request changes
 * nothing (`tm` with "op": "show"), -1 when the key does not fit.
 */
static int key_fmt(char *key, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int key_fmt(char *key, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(key, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 1;
}

/* "*" for an argument the request leaves out (every switch, port, group) */
static const char *str_or_all(json_t *req, const char *k)
{
	const char *s = json_string_value(json_object_get(req, k));
	return s ? s : "*";
}

static json_int_t int_or_all(json_t *req, const char *k)
{
	json_t *v = json_object_get(req, k);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static int tm_change_key(json_t *req, char *key, size_t len)
{
	if (strcmp(str_or_all(req, "op"), "set") != 0)
		return 0;
	return key_fmt(key, len, "tm %s:%" JSON_INTEGER_FORMAT " %s", str_or_all(req, "switch"),
		       int_or_all(req, "port"), str_or_all(req, "key"));
}

/* The flowlet parameters a request names are in its key: a later request
 * replaces it only when it names the same ones (and mode), so that a
 * restart's replay, in order, still ends with every parameter's last value. */
static int lb_set_change_key(json_t *req, char *key, size_t len)
{
	return key_fmt(key, len, "lb_set %s group %" JSON_INTEGER_FORMAT "%s%s", str_or_all(req, "switch"),
		       int_or_all(req, "group"), json_object_get(req, "idle_time_ns") ? " idle_time" : "",
		       json_object_get(req, "placement") ? " placement" : "");
}

static int pipeline_change_key(json_t *req, char *key, size_t len)
{
	return key_fmt(key, len, "pipeline %s", str_or_all(req, "switch"));
}

static int cell_link_change_key(json_t *req, char *key, size_t len)
{
	return key_fmt(key, len, "cell_link %s:%" JSON_INTEGER_FORMAT, str_or_all(req, "switch"),
		       int_or_all(req, "port"));
}

/* A link's state, loss and bit-error rate are three things a later request
 * replaces; a switch's state one (docs/FAULTS.md). */
static int link_change_key(json_t *req, char *key, size_t len)
{
	const char *what = json_object_get(req, "loss") ? "loss" : json_object_get(req, "ber") ? "ber" : "state";

	return key_fmt(key, len, "link %s:%" JSON_INTEGER_FORMAT " %s", str_or_all(req, "switch"), int_or_all(req, "port"),
		       what);
}

static int switch_change_key(json_t *req, char *key, size_t len)
{
	return key_fmt(key, len, "switch %s", str_or_all(req, "switch"));
}

static const struct {
	const char *name;
	const char *help;
	json_t *(*fn)(struct loomd_state *st, json_t *req);
	int (*change_key)(json_t *req, char *key, size_t len); /* NULL: changes nothing that lasts */
} commands[] = {
	{"help", "this list", cmd_help},
	{"ping", "is loomd there", cmd_ping},
	{"status", "switches, ports and how they are linked; loop counters", cmd_status},
	{"stats", "per switch and port: packets, bytes, drops by reason, queued; conservation", cmd_stats},
	{"routes", "{\"switch\": NAME}: a switch's routes as its table holds them now (after a fault's repair), "
		   "each beside its configured group", ctl_cmd_routes},
	{"pipeline", "{\"switch\": NAME, \"pipeline\": \"native\"|\"p4\"[, \"p4_spec\": FILE]}: switch its forwarding",
	 cmd_pipeline, pipeline_change_key},
	{"tm", "{\"op\": \"show\"|\"set\", \"switch\": S, [\"port\": P,] [\"key\": K, \"value\": V]}: "
	       "traffic manager settings", ctl_cmd_tm, tm_change_key},
	{"flows", "per-flow results of the generator hosts (packets, loss, reordering, latency, marks)", cmd_flows},
	{"lb", "{\"switch\": NAME?}: load-balancing modes, per-member counters, imbalance, reordering", ctl_cmd_lb_show},
	{"cell_link", "{\"switch\": NAME, \"port\": P, \"up\": BOOL}: cell fabric: take a leaf-spine link down or up", ctl_cmd_cell_link,
	 cell_link_change_key},
	{"link", "{\"switch\": NAME, \"port\": P, \"state\": \"down\"|\"up\"} (or \"loss\": X, \"ber\": X): "
		 "break or repair a link (docs/FAULTS.md)", ctl_cmd_link, link_change_key},
	{"switch", "{\"switch\": NAME, \"state\": \"down\"|\"up\"}: take a whole switch down or up", ctl_cmd_switch,
	 switch_change_key},
	{"lb_set", "{\"mode\": M, \"switch\": NAME?, \"group\": G?, \"idle_time_ns\": N?, \"placement\": P?}: change the load-balancing mode and flowlet parameters (api/loom_lb_set.h)", ctl_cmd_lb_set,
	 lb_set_change_key},
	{"trace_start", "{\"switch\": S, \"port\": P?, \"count\": N?, \"match\": EXPR?}: trace the next N matching "
			"packets hop by hop (docs/TRACE.md)", ctl_cmd_trace_start},
	{"trace_show", "the packets traced, stage by stage", ctl_cmd_trace_show},
	{"trace_stop", "stop tracing (the trace stays for trace_show)", ctl_cmd_trace_stop},
	{"capture_start", "{\"switch\": S, \"port\": P, \"dir\": rx|tx|both?, \"count\": N?, \"filter\": EXPR?}: "
			  "capture a port's frames", ctl_cmd_capture_start},
	{"capture_read", "{\"id\": ID}: the frames captured since the last read (hex)", ctl_cmd_capture_read},
	{"capture_stop", "{\"id\": ID}: end a capture", ctl_cmd_capture_stop},
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

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int command_index(const char *cmd)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return (int)i;
	return -1;
}

/* Run request `req` (an object with a string "cmd"); a live change that
 * succeeded is recorded when loomd has a changes directory. */
static json_t *ctl_dispatch(struct loomd_state *st, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	int i = command_index(cmd);
	char key[CTL_CHANGE_KEY_MAX], err[512];
	json_t *r;
	int k;

	if (i < 0)
		return error_reply("unknown command '%s' ({\"cmd\": \"help\"} lists them)", cmd);
	r = commands[i].fn(st, req);
	if (!st->changes || !commands[i].change_key || !json_is_true(json_object_get(r, "ok")))
		return r;
	k = commands[i].change_key(req, key, sizeof(key));
	if (k == 0)
		return r;
	if (k < 0)
		snprintf(err, sizeof(err), "its key is longer than %d bytes", CTL_CHANGE_KEY_MAX - 1);
	if (k < 0 || ctl_changes_record(st->changes, key, req, err, sizeof(err)) < 0) {
		/* applied all the same: say that a restart would lose it */
		fprintf(stderr, "loomd: live change not recorded for a restart: %s\n", err);
		json_object_set_new(r, "warning", json_sprintf("applied, but not recorded for a restart: %s", err));
	}
	return r;
}

json_t *ctl_handle_request(struct loomd_state *st, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr);
	json_t *r;

	if (!req)
		return error_reply("malformed request: %s", jerr.text);
	if (!json_is_object(req) || !json_string_value(json_object_get(req, "cmd"))) {
		json_decref(req);
		return error_reply("%s", "malformed request: expected {\"cmd\": ...}");
	}
	r = ctl_dispatch(st, req);
	json_decref(req);
	return r;
}

/* One recorded change, at start (ctl_changes_replay): it must be a live
 * change whose key is the one recorded, and loomd must accept it. */
static int replay_apply(void *ctx, const char *key, json_t *req, char *err, size_t errlen)
{
	struct loomd_state *st = ctx;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	int i = command_index(cmd);
	char own[CTL_CHANGE_KEY_MAX];
	json_t *r;

	if (i < 0 || !commands[i].change_key || commands[i].change_key(req, own, sizeof(own)) != 1) {
		snprintf(err, errlen, "\"%.32s\" is not a live change", cmd);
		return -1;
	}
	if (strcmp(own, key) != 0) {
		snprintf(err, errlen, "its key \"%.100s\" is not its request's (\"%.100s\")", key, own);
		return -1;
	}
	r = commands[i].fn(st, req);
	if (!json_is_true(json_object_get(r, "ok"))) {
		snprintf(err, errlen, "loomd refused it: %.300s",
			 json_string_value(json_object_get(r, "error")) ?: "error");
		json_decref(r);
		return -1;
	}
	json_decref(r);
	return 0;
}

json_t *ctl_changes_apply_recorded(struct loomd_state *st)
{
	return ctl_changes_replay(st->changes, replay_apply, st);
}

/* The `stats` result for a fabric whose counters nothing changes while
 * this runs (the virtual-time runner, after its run): no mailbox. */
json_t *loom_fabric_switch_stats_json(const struct loom_fabric *f, const struct loom_ports *ports, uint16_t s)
{
	struct switch_snapshot snap = {0};
	const struct loom_switch *sw = &f->switches[s];
	const struct loom_port_io *io_of_port[256] = {0};
	json_t *j;

	if (snapshot_alloc(&snap, sw) < 0) {
		snapshot_free(&snap);
		return NULL;
	}
	snapshot_fill(sw, &snap);
	for (uint16_t p = 0; p < sw->n_ports; p++)
		snap.link_state[p] = (uint8_t)loom_fault_port_state(f, s, p);
	for (uint32_t i = 0; ports && i < ports->n; i++) {
		if (ports->io[i].sw == sw) {
			io_of_port[ports->io[i].port] = &ports->io[i];
			snap.in_flight[ports->io[i].port] = port_io_in_flight(&ports->io[i]);
		}
	}
	j = switch_json(f, s, &snap, io_of_port);
	snapshot_free(&snap);
	return j;
}

json_t *loom_fabric_stats_json_shell(const struct loom_fabric *f, const struct loom_ports *ports, loom_time_ns now,
				     bool with_switches)
{
	json_t *switches = json_array();

	for (uint16_t s = 0; with_switches && s < f->n_switches; s++) {
		json_t *j = loom_fabric_switch_stats_json(f, ports, s);

		if (!j) {
			json_decref(switches);
			return NULL;
		}
		json_array_append_new(switches, j);
	}
	return json_pack("{s:s, s:I, s:o, s:o}", "fabric", f->name, "time_ns", (json_int_t)now, "switches", switches,
			 "faults", loom_faults_json(f));
}

json_t *loom_fabric_stats_json(const struct loom_fabric *f, const struct loom_ports *ports, loom_time_ns now)
{
	return loom_fabric_stats_json_shell(f, ports, now, true);
}
