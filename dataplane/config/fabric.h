/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switches one loomd hosts, as loaded from the configuration that
 * loomctl compiles (docs/LOOMD_CONFIG.md), plus how each port is linked.
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
};

/* Load the JSON at `path` and build every switch: ports, output queues,
 * route tables. EAL must be initialised. Returns 0, or -1 with a message.
 * record_reads: keep a shadow of every value read (loomd --check-config;
 * api/loomd_config_read.h), taken with loomd_cfg_record_finish(). */
int loom_fabric_load(const char *path, struct loom_fabric *f, bool record_reads, char *err, size_t errlen);
void loom_fabric_free(struct loom_fabric *f);
/* config_tm.c: time_scale and the traffic manager of every port (after
 * the switches are loaded); and its release. */
int loom_fabric_load_tm(struct loom_fabric *f, struct json_t *root, char *err, size_t errlen);
/* A setting's JSON value (string, number, boolean, or a list of class
 * numbers) as the text the TM setting parser takes; -1 for other types.
 * Used by the configuration and by `tm set` (ctl_tm.c). */
int loom_tm_value_string(struct json_t *v, char *buf, size_t len);
void loom_fabric_free_tm(struct loom_fabric *f);

/* Route tables per switch: DIR-24-8 (IPv4) and the trie (IPv6) are the
 * fast ones but reserve a 2^24-entry first level each: 16 MB for IPv4 with
 * 1-byte next hops, 32 MB for IPv6 with 2-byte ones. Beyond these many
 * switches in one process, that family uses RIB-only tables instead (a
 * trie walk per lookup, little memory): IPv4, the benchmark's and most
 * traffic's family, stays fast longer (512 MB at the limit). */
#define LOOM_FAST_FIB4_MAX_SWITCHES 32
#define LOOM_FAST_FIB6_MAX_SWITCHES 8
#define LOOM_FAST_FIB4_MB 16
#define LOOM_FAST_FIB6_MB 32

#endif
