/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading loomd's configuration (docs/LOOMD_CONFIG.md) into a fabric
 * (core/fabric.h): the switches, their tables, traffic managers, modes,
 * generator hosts and cell fabric.
 */
#ifndef LOOM_CONFIG_H
#define LOOM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric.h"

struct json_t;

/* Load the JSON at `path` and build every switch: ports, output queues,
 * route tables. EAL must be initialised. Returns 0, or -1 with a message.
 * record_reads: keep a shadow of every value read (loomd --check-config;
 * api/loomd_config_read.h), taken with loomd_cfg_record_finish(). */
int loom_fabric_load(const char *path, struct loom_fabric *f, bool record_reads, char *err, size_t errlen);
void loom_fabric_free(struct loom_fabric *f);

/* config_observe.c: traces and captures (trace/observe.h) set up for the
 * fabric, with a virtual-time configuration's `trace` and `captures`
 * started (check_only: read and checked only, nothing set up); the
 * trace and the captures' files into a virtual run's results (the files
 * closed); everything freed. */
int loom_observe_load(struct loom_fabric *f, struct json_t *root, bool check_only, char *err, size_t errlen);
void loom_observe_results(struct loom_fabric *f, struct json_t *out);
void loom_observe_unload(struct loom_fabric *f);

/* A run split over MPI ranks (loomd_mpi_observe.c): every rank but 0 is
 * told before loading that rank 0 writes the capture files, and keeps the
 * frames its switches capture in memory, without the file's header; rank 0
 * appends each capture's frames from the rank that owns its switch (only
 * that rank's copy of the switch carries traffic). */
void loom_observe_captures_in_memory(bool on);
struct loom_capture_part {
	const char *bytes; /* the pcapng packet blocks taken here (in memory), NULL on rank 0 */
	size_t len;
	uint64_t frames;
	bool full, failed; /* the size cap reached; a write failed */
	uint16_t sw;       /* the index of the capture's switch */
};
/* Capture i (0..LOOM_CAPTURES_MAX-1) of the configuration: 0, or -1 when there is none. */
int loom_observe_capture_part(struct loom_fabric *f, int i, struct loom_capture_part *out);
/* Rank 0: capture i's frames from another rank, appended to its file. */
int loom_observe_capture_add(struct loom_fabric *f, int i, const struct loom_capture_part *p);
/* config_tm.c: time_scale and the traffic manager of every port (after
 * the switches are loaded); and its release. */
int loom_fabric_load_tm(struct loom_fabric *f, struct json_t *root, char *err, size_t errlen);
void loom_fabric_free_tm(struct loom_fabric *f);
/* Bytes of EAL memory the real-time lossless queues' reserves of this
 * configuration take (loomd's estimate before EAL; 0 in virtual time). */
uint64_t loom_tm_reserve_needed_bytes(struct json_t *root);

/* Route tables (core/route_table.h, shared by switches with the same
 * routes): DIR-24-8 (IPv4) and the trie (IPv6) are the fast ones but
 * reserve a 2^24-entry first level each: 16 MB for IPv4 with 1-byte next
 * hops, 32 MB for IPv6 with 2-byte ones. Beyond these many switches in
 * one process, and in virtual time, that family uses the plain-memory LPM
 * instead (loom/route/lpm.h: a few hash probes per lookup, ~32 bytes a
 * route, no DPDK memzone); a P4 switch there gets RIB-only rte_fibs.
 * IPv4, the benchmark's and most traffic's family, stays fast longer
 * (512 MB at the limit, less where switches share). loomd's memory
 * estimate (loomd.c) counts these sizes per switch. */
#define LOOM_FAST_FIB4_MAX_SWITCHES 32
#define LOOM_FAST_FIB6_MAX_SWITCHES 8
#define LOOM_FAST_FIB4_MB 16
#define LOOM_FAST_FIB6_MB 32

#endif
