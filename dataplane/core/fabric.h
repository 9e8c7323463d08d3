/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switches one loomd hosts, as loaded from the configuration that
 * loomctl compiles (docs/LOOMD_CONFIG.md), plus how each port is linked.
 * Loaded by config/ (config.h); read by every floor that works on the
 * whole fabric (runners, ports, cell fabric, control).
 */
#ifndef LOOM_FABRIC_H
#define LOOM_FABRIC_H

#include <stddef.h>

#include "switch.h"

struct json_t;

enum loom_link_kind {
	LOOM_LINK_NONE = 0, /* port number unused */
	LOOM_LINK_RING,     /* peer switch in this process: rte_ring per direction */
	LOOM_LINK_ETHDEV,   /* DPDK port created from devargs */
	LOOM_LINK_GENERATOR, /* a generator host of this loomd (hosts/gen_host.h) */
};

/* How loomd's time goes: the TSC (forwarding real packets), or the
 * virtual-time runner's event queue (a deterministic simulation). */
enum loom_clock_mode { LOOM_CLOCK_REALTIME = 0, LOOM_CLOCK_VIRTUAL = 1 };

struct loom_gen_host;
struct cell_fabric;
struct rte_mempool;
struct loom_faults;

struct loom_link_spec {
	enum loom_link_kind kind;
	char devargs[256];
	uint16_t peer_switch; /* RING: index into loom_fabric.switches */
	uint16_t peer_port;
	uint32_t gen_host;    /* GENERATOR: index into loom_fabric.gen_hosts */
};

struct loom_fabric {
	char name[LOOM_NAME_MAX];
	uint16_t n_switches;
	struct loom_switch *switches;
	struct loom_link_spec **links; /* [switch][port] */
	struct json_t *config;         /* the loaded JSON, kept for `routes` */
	double time_scale;             /* links run at rate / time_scale (traffic manager) */
	/* The experiment (docs/VIRTUAL_TIME.md): clock, seed, duration and
	 * the generator hosts (hosts/gen_config.c loads them). */
	enum loom_clock_mode clock_mode;
	uint64_t seed;
	loom_time_ns duration_ns; /* 0 = until stopped (real time only) */
	uint32_t n_gen_hosts;
	struct loom_gen_host *gen_hosts;
	struct cell_fabric *cell;      /* `mode: cell` (dataplane/cell/), NULL otherwise */
	struct conga_fabric *conga;    /* CONGA's overlay (dataplane/conga/), NULL otherwise */
	uint16_t max_mtu;              /* the largest port MTU: sizes the mbufs (ports/port_setup.c) */
	struct rte_mempool *tm_ctrl_pool; /* PFC frames of every switch's traffic manager (tm/) */
	struct loom_faults *faults;    /* link and switch faults (dataplane/fault/) */
	struct loom_observe *observe;  /* traces and captures (trace/observe.h); NULL until set up */
};

#endif
