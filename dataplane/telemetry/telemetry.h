/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry export: the counters of `stats` (ctl_commands.c), read the
 * same way -- copied on the worker through the mailbox, so every reader
 * sees a consistent snapshot -- and offered to
 *  - DPDK telemetry (dpdk_telemetry.c): /loom/switches, /loom/stats,SWITCH,
 *    /loom/ports,SWITCH on EAL's telemetry socket, readable with
 *    dpdk-telemetry.py -f <loomd's file prefix>;
 *  - Prometheus (metrics_http.c): GET /metrics on 127.0.0.1:PORT, text
 *    format 0.0.4, when loomd runs with --metrics-port PORT.
 */
#ifndef LOOM_TELEMETRY_H
#define LOOM_TELEMETRY_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ctl.h"

/* The `stats` result object (caller decrefs), or NULL. */
json_t *loom_stats_snapshot(struct loomd_state *st);

/* Register the /loom/... commands; 0 or -1 with a message. */
int loom_dpdk_telemetry_register(struct loomd_state *st, char *err, size_t errlen);
/* Before the state goes away: the commands answer null from then on. */
void loom_dpdk_telemetry_detach(void);

/* The snapshot as Prometheus text (exposition format 0.0.4). */
void loom_metrics_write(const json_t *stats, FILE *out);

struct loom_metrics_server {
	void *daemon; /* struct MHD_Daemon */
};

/* Serve GET /metrics on 127.0.0.1:port; 0 or -1 with a message. */
int loom_metrics_start(struct loom_metrics_server *srv, struct loomd_state *st, uint16_t port, char *err,
		       size_t errlen);
void loom_metrics_stop(struct loom_metrics_server *srv);

#endif
