/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd's control socket: a Unix stream socket (mode 0600, so only root
 * opens it) carrying one JSON request per line and one JSON reply per line:
 *   {"cmd": "stats"}  ->  {"ok": true, "result": {...}}
 *   anything wrong     ->  {"ok": false, "error": "..."}
 * Commands: help, ping, status, stats, routes, pipeline, tm, flows, lb,
 * lb_set, cell_link, link, switch, trace_start/show/stop,
 * capture_start/read/stop, shutdown; their arguments are in the table of
 * ctl_commands.c, the one list, which {"cmd": "help"} prints.
 * A bad request never stops forwarding: it only gets an error reply.
 * Several clients are served at once, none can hold the socket
 * (ctl_server.c: per-request deadline, size limit, idle limit).
 */
#ifndef LOOM_CTL_H
#define LOOM_CTL_H

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "fabric.h"
#include "mailbox.h"
#include "port_io.h"
#include "runner.h"

struct ctl_changes;

struct loomd_state {
	struct loom_fabric *fabric;
	struct loom_ports *ports;
	const struct loom_clock *clock;
	struct loom_mailbox *mb;
	atomic_bool *stop;
	struct loom_rt_stats *rt;
	/* live changes recorded for a restart (--changes-dir), NULL: none;
	 * what the start re-applied of them (status shows it) */
	struct ctl_changes *changes;
	json_t *changes_replayed;
	/* ms each step of loomd's start took (eal, configuration, ports,
	 * live_changes): status shows them */
	json_t *startup_ms;
	/* CLOCK_MONOTONIC ns when the worker began forwarding, 0 before:
	 * `loomctl restart` measures its outage with it (written once by the
	 * main thread, read by status: __atomic) */
	uint64_t forwarding_since_ns;
};

/* The `stats` result (per switch and port, conservation) read directly,
 * for callers that own the fabric (the virtual-time run). ports may be
 * NULL. */
json_t *loom_fabric_stats_json(const struct loom_fabric *f, const struct loom_ports *ports, loom_time_ns now);
/* The same with "switches" empty unless with_switches (a caller that
 * writes them one at a time: a large fabric's whole tree is hundreds of
 * MB), and one switch's element of it. NULL without memory. */
json_t *loom_fabric_stats_json_shell(const struct loom_fabric *f, const struct loom_ports *ports, loom_time_ns now,
				     bool with_switches);
json_t *loom_fabric_switch_stats_json(const struct loom_fabric *f, const struct loom_ports *ports, uint16_t s);

/* Re-apply the live changes recorded in st->changes (ctl_changes.h), before
 * the worker and the control socket run; what was replayed and skipped. */
json_t *ctl_changes_apply_recorded(struct loomd_state *st);

/* Handle one request line; returns the reply (caller decrefs). */
json_t *ctl_handle_request(struct loomd_state *st, const char *line);

struct ctl_server {
	int fd;
	char path[108];
	pthread_t thread;
	struct loomd_state *st;
};

int ctl_server_start(struct ctl_server *srv, const char *path, struct loomd_state *st, char *err, size_t errlen);
void ctl_server_stop(struct ctl_server *srv);

#endif
